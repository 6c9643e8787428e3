from django.apps import AppConfig


class EglPlatformConfig(AppConfig):
    name = "egl_platform"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "EGL platform"
