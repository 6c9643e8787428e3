"""Certificates (namespace `certificates`), included at the root; see
courses/views/certificates.py. The verification pages are public."""

from django.urls import path

from courses.views import certificates

app_name = "certificates"

urlpatterns = [
    path(
        "certificates/<uuid:certificate_uuid>/download/",
        certificates.download,
        name="download",
    ),
    path("verify/", certificates.verify, name="verify"),
    path("verify/<str:code>/", certificates.verify_code, name="verify-code"),
]
