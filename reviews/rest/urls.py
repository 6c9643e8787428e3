"""Routes of the review API under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from reviews.rest import views
from reviews.rest.figures import ReviewFiguresView

router = SimpleRouter(trailing_slash=True)
router.register("reviews", views.ReviewViewSet, basename="api-review")
router.register("review-categories", views.ReviewCategoryViewSet, basename="api-review-category")

urlpatterns = [
    path(
        "review-submissions/",
        views.ReviewSubmissionView.as_view(),
        name="api-review-submission",
    ),
    path("review-figures/", ReviewFiguresView.as_view(), name="api-review-figures"),
    *router.urls,
]
