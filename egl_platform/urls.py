"""URLs of a tenant's host (<slug>.<EGL_BASE_DOMAIN>). Platform pages: urls_platform.py."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from egl_platform import views
from egl_platform.rest.permissions import public_schema
from tenants.views import branding

urlpatterns = [
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("", views.home, name="home"),
    path("accounts/", include("tenants.urls_accounts")),
    path("branding/logo/", branding.logo, name="tenant-logo"),
    path("manage/", include("tenants.urls_manage")),
    path("jobs/", include("egl_platform.urls_jobs")),
    path("inbox/", include("reviews.urls_inbox")),
    path("reviews/", include("reviews.urls")),
    path("publishing/", include("courses.urls_publishing")),
    path("media-library/", include("authoring.urls_media")),
    path("course-tools/", include("authoring.urls_archive")),
    path("new-course/", include("authoring.urls_templates")),
    path("courses/", include("authoring.urls")),
    path("courses/", include("reviews.urls_editor")),
    path("external-review/", include("reviews.urls_external")),
    path("", include("courses.urls_catalog")),
    path("", include("courses.urls_recognition")),
    path("learn/", include("courses.urls_player")),
    path("share/", include("courses.urls_sharing")),
    path("", include("courses.urls_certificates")),
    path("api/v1/", include("egl_platform.rest.urls")),
    path("api/schema/", public_schema(SpectacularAPIView).as_view(), name="api-schema"),
    path(
        "api/docs/",
        public_schema(SpectacularSwaggerSplitView).as_view(url_name="api-schema"),
        name="api-docs",
    ),
]

handler400 = "egl_platform.views.bad_request"
handler403 = "egl_platform.views.permission_denied"
handler404 = "egl_platform.views.page_not_found"
handler500 = "egl_platform.views.server_error"
