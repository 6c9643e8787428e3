"""The page editor's review threads, included at `courses/` next to authoring.urls (the
authoring app does not import reviews: its template only fetches this URL with htmx)."""

from django.urls import path

from reviews.views import threads

urlpatterns = [
    path(
        "<uuid:course_uuid>/pages/<uuid:page_uuid>/comments/",
        threads.editor_threads,
        name="editor-page-comments",
    ),
]
