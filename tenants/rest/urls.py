from django.urls import path
from rest_framework.routers import SimpleRouter

from tenants.rest import schema, views  # noqa: F401 - schema registers the auth schemes with drf-spectacular

router = SimpleRouter(trailing_slash=True)
router.register("members", views.MemberViewSet, basename="api-member")
router.register("invitations", views.InvitationViewSet, basename="api-invitation")
router.register("groups", views.GroupViewSet, basename="api-group")
router.register("tokens", views.ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
