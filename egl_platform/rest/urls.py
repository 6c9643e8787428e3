"""Routes of /api/v1/. Each app registers its viewsets on the one router."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

urlpatterns = [
    path("", include("tenants.rest.urls")),
    path("", include("egl_platform.rest.jobs_urls")),
    path("", include("authoring.rest.urls")),
    path("", include("authoring.rest.urls_assets")),
    path("", include("authoring.rest.urls_templates")),
    path("", include("reviews.rest.urls")),
    path("", include("reviews.rest.urls_diff")),
    path("", include("reviews.rest.urls_comments")),
    path("", include("reviews.rest.urls_notifications")),
    path("", include("reviews.rest.urls_external")),
    path("", include("courses.rest.urls_catalog")),
    path("", include("courses.rest.urls_publishing")),
    path("", include("courses.rest.urls_recognition")),
    path("", include("courses.rest.urls_certificates")),
]
