"""The publishing pages, included at `publishing/` (namespace `publishing`)."""

from django.urls import path

from courses.views import publishing

app_name = "publishing"

urlpatterns = [
    path("courses/<uuid:course_uuid>/", publishing.releases_page, name="releases"),
    path("courses/<uuid:course_uuid>/publish/", publishing.publish, name="publish"),
    path("releases/<uuid:release_uuid>/rollback/", publishing.rollback, name="rollback"),
]
