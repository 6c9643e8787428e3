"""Route of the review diff API under /api/v1/."""

from django.urls import path

from reviews.rest.diff import ReviewDiffView

urlpatterns = [
    path("reviews/<str:review_uuid>/diff/", ReviewDiffView.as_view(), name="api-review-diff"),
]
