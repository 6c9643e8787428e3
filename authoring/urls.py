"""The course editor's pages, included at `courses/` (namespace `authoring`)."""

from django.urls import path

from authoring.views import courses, editor

app_name = "authoring"

COURSE = "<uuid:course_uuid>/"
SECTION = COURSE + "sections/<uuid:section_uuid>/"
PAGE = COURSE + "pages/<uuid:page_uuid>/"

urlpatterns = [
    path("", courses.course_list, name="course-list"),
    path(COURSE, courses.course_edit, name="course-edit"),
    # outline (plain POST forms; the editor's JS uses the API instead)
    path(COURSE + "sections/add/", courses.section_add, name="section-add"),
    path(SECTION + "rename/", courses.section_rename, name="section-rename"),
    path(SECTION + "move/", courses.section_move, name="section-move"),
    path(SECTION + "delete/", courses.section_delete, name="section-delete"),
    path(SECTION + "pages/add/", courses.page_add, name="page-add"),
    path(PAGE + "rename/", courses.page_rename, name="page-rename"),
    path(PAGE + "move/", courses.page_move, name="page-move"),
    path(PAGE + "delete/", courses.page_delete, name="page-delete"),
    # co-authors and ownership
    path(COURSE + "authors/add/", courses.coauthor_add, name="coauthor-add"),
    path(
        COURSE + "authors/<uuid:member_uuid>/remove/",
        courses.coauthor_remove,
        name="coauthor-remove",
    ),
    path(COURSE + "owner/", courses.owner_transfer, name="owner-transfer"),
    # versions
    path(COURSE + "revisions/save/", courses.revision_save, name="revision-save"),
    path(COURSE + "revisions/<int:revision_number>/", courses.revision_view, name="revision-view"),
    path(
        COURSE + "revisions/<int:revision_number>/restore/",
        courses.revision_restore,
        name="revision-restore",
    ),
    # the page editor
    path(PAGE, editor.page_edit, name="page-edit"),
    path(PAGE + "blocks/new/", editor.block_new, name="block-new"),
    # preview
    path(COURSE + "preview/", editor.course_preview, name="course-preview"),
    path(COURSE + "preview/<uuid:page_uuid>/", editor.course_preview, name="course-preview-page"),
    path(
        COURSE + "preview/<uuid:page_uuid>/frame/",
        editor.preview_frame,
        name="course-preview-frame",
    ),
]
