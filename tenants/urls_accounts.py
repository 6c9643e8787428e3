"""A person's own account on a tenant host. Other code links to these names: keep them."""

from django.urls import path

from tenants.views import accounts as views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<uuid:token_uuid>/revoke/", views.token_revoke, name="token_revoke"),
    path("switch/<slug:slug>/", views.switch, name="switch"),
    path("handoff/", views.handoff, name="handoff"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
