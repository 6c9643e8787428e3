from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenantsConfig(AppConfig):
    name = "tenants"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Tenants"

    def ready(self) -> None:
        from tenants import checks, rls

        checks.register()
        post_migrate.connect(
            rls.after_migrate, sender=self, dispatch_uid="tenants.rls.after_migrate"
        )
