"""Routes of the external review link API under /api/v1/."""

from django.urls import path

from reviews.rest import external as views

urlpatterns = [
    path(
        "reviews/<str:review_uuid>/external-links/",
        views.ReviewExternalLinkViewSet.as_view({"get": "list", "post": "create"}),
        name="api-review-external-links",
    ),
    path(
        "external-links/<str:link_uuid>/revoke/",
        views.ExternalLinkRevokeView.as_view(),
        name="api-external-link-revoke",
    ),
]
