"""Routes of the certificate API under /api/v1/."""

from rest_framework.routers import SimpleRouter

from courses.rest.certificates import CertificateViewSet

router = SimpleRouter(trailing_slash=True)
router.register("certificates", CertificateViewSet, basename="api-certificate")

urlpatterns = [*router.urls]
