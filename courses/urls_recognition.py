"""Recognition pages, included at the site root (namespace `recognition`): rating a course
(next to the catalog's course page) and the authors' impact pages."""

from django.urls import path

from courses.views import recognition

app_name = "recognition"

urlpatterns = [
    path("catalog/<uuid:course_uuid>/rating/", recognition.rate, name="rate"),
    path("impact/", recognition.impact, name="impact"),
    path("impact/courses/<uuid:course_uuid>/", recognition.course_impact, name="course"),
    path("impact/ratings/<uuid:rating_uuid>/thank/", recognition.thank, name="thank"),
]
