"""Following long operations in the browser: a job's page with its live progress bar."""

from django.urls import path

from egl_platform import views_jobs as views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<uuid:job_uuid>/", views.job_detail, name="detail"),
    path("<uuid:job_uuid>/progress/", views.job_progress, name="progress"),
    path("<uuid:job_uuid>/download/", views.job_download, name="download"),
]
