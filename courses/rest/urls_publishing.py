"""Routes of the publishing API under /api/v1/."""

from django.urls import path

from courses.rest import publishing

urlpatterns = [
    path(
        "courses/<uuid:course_uuid>/releases/",
        publishing.CourseReleasesView.as_view(),
        name="api-course-releases",
    ),
    path(
        "releases/<uuid:release_uuid>/rollback/",
        publishing.ReleaseRollbackView.as_view(),
        name="api-release-rollback",
    ),
]
