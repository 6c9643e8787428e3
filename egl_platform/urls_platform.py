"""URLs of the bare base domain: landing page, tenant picker, platform staff admin."""

from django.contrib import admin
from django.urls import path

from egl_platform import views

urlpatterns = [
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("", views.platform_landing, name="platform-landing"),
    path("django-admin/", admin.site.urls),
]

handler400 = "egl_platform.views.bad_request"
handler403 = "egl_platform.views.permission_denied"
handler404 = "egl_platform.views.page_not_found"
handler500 = "egl_platform.views.server_error"
