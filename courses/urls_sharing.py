"""Public course links, included at `share/` (namespace `sharing`); see courses/views/sharing.py."""

from django.urls import path

from courses.views import sharing

app_name = "sharing"

MANAGE = "manage/<uuid:course_uuid>/"

urlpatterns = [
    path(MANAGE, sharing.manage, name="manage"),
    path(MANAGE + "create/", sharing.manage_create, name="create"),
    path(MANAGE + "revoke/", sharing.manage_revoke, name="revoke"),
    path("<str:token>/", sharing.visit, name="visit"),
]
