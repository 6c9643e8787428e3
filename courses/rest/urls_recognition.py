"""Routes of the recognition API under /api/v1/."""

from django.urls import path

from courses.rest import recognition

urlpatterns = [
    path(
        "courses/<uuid:course_uuid>/rating/",
        recognition.CourseRatingView.as_view(),
        name="api-course-rating",
    ),
    path(
        "courses/<uuid:course_uuid>/impact/",
        recognition.CourseImpactView.as_view(),
        name="api-course-impact",
    ),
    path(
        "courses/<uuid:course_uuid>/ratings/",
        recognition.CourseRatingsView.as_view(),
        name="api-course-ratings",
    ),
    path(
        "ratings/<uuid:rating_uuid>/thank/",
        recognition.RatingThankView.as_view(),
        name="api-rating-thank",
    ),
    path("impact/", recognition.MyImpactView.as_view(), name="api-impact"),
]
