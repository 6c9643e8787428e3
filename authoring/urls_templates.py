"""Starting a course (new-course/): blank, from a template, or with the wizard."""

from django.urls import path

from authoring import views_templates as views

app_name = "templates"

urlpatterns = [
    path("", views.start, name="start"),
    path("templates/use/", views.use, name="use"),
    path("wizard/", views.wizard, name="wizard"),
    path("templates/<uuid:course_uuid>/toggle/", views.toggle, name="toggle"),
]
