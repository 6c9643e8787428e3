"""The tenant admin UI ("Manage"). Templates link to these names: keep them."""

from django.urls import path

from tenants.views import manage as views

app_name = "manage"

urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/export/", views.members_export, name="members_export"),
    path("members/<uuid:member_uuid>/", views.member_detail, name="member_detail"),
    path(
        "members/<uuid:member_uuid>/deactivate/", views.member_deactivate, name="member_deactivate"
    ),
    path(
        "members/<uuid:member_uuid>/reactivate/", views.member_reactivate, name="member_reactivate"
    ),
    path("invitations/", views.invitations, name="invitations"),
    path(
        "invitations/<uuid:invitation_uuid>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<uuid:invitation_uuid>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("groups/", views.groups, name="groups"),
    path("groups/<uuid:group_uuid>/", views.group_detail, name="group_detail"),
    path("groups/<uuid:group_uuid>/delete/", views.group_delete, name="group_delete"),
    path("groups/<uuid:group_uuid>/members/", views.group_members_add, name="group_members_add"),
    path(
        "groups/<uuid:group_uuid>/members/<uuid:member_uuid>/remove/",
        views.group_member_remove,
        name="group_member_remove",
    ),
    path("settings/", views.settings, name="settings"),
]
