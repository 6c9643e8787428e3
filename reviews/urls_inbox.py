"""The inbox, included at `inbox/` (namespace `inbox`)."""

from django.urls import path

from reviews.views import inbox as views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox_list, name="list"),
    path("read-all/", views.notifications_read_all, name="read-all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<uuid:notification_uuid>/open/", views.notification_open, name="open"),
]
