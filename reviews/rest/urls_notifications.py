"""Routes of the notification API under /api/v1/: one's inbox and e-mail preference."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from reviews.rest import notifications as views

router = SimpleRouter(trailing_slash=True)
router.register("notifications", views.NotificationViewSet, basename="api-notification")

urlpatterns = [
    path(
        "notification-preferences/",
        views.NotificationPreferenceView.as_view(),
        name="api-notification-preferences",
    ),
    *router.urls,
]
