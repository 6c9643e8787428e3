"""The catalog and My learning, included at the site root (namespace `catalog`)."""

from django.urls import path

from courses.views import catalog, learning

app_name = "catalog"

COURSE = "catalog/<uuid:course_uuid>/"

urlpatterns = [
    path("catalog/", catalog.catalog_list, name="list"),
    path(COURSE, catalog.catalog_course, name="course"),
    path(COURSE + "enrol/", catalog.catalog_enrol, name="enrol"),
    path(COURSE + "assign/", catalog.catalog_assign, name="assign"),
    path(COURSE + "learners/", catalog.catalog_learners, name="learners"),
    path("my-learning/", learning.learning_list, name="my-learning"),
]
