"""Routes of the review comment API under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from reviews.rest import comments as views

router = SimpleRouter(trailing_slash=True)
router.register("comments", views.CommentViewSet, basename="api-review-comment")

urlpatterns = [
    path(
        "reviews/<str:review_uuid>/comments/",
        views.ReviewCommentsView.as_view(),
        name="api-review-comments",
    ),
    path(
        "review-comments/",
        views.CourseCommentsView.as_view(),
        name="api-course-comments",
    ),
    *router.urls,
]
