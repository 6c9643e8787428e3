"""Course tools outside the editor: archive import/export and the course-health panel.

Included at `course-tools/` (the editor's own routes live under `courses/`). Names are not
namespaced: `course-import`, `course-export`, `course-health`.
"""

from django.urls import path

from authoring import views_archive, views_health

urlpatterns = [
    path("import/", views_archive.course_import, name="course-import"),
    path("<uuid:course_uuid>/export/", views_archive.course_export, name="course-export"),
    path("<uuid:course_uuid>/health/", views_health.course_health_panel, name="course-health"),
]
