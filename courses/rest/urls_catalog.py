"""Routes of the catalog and enrolment API under /api/v1/."""

from rest_framework.routers import SimpleRouter

from courses.rest.catalog import CatalogViewSet
from courses.rest.enrolments import AssignmentViewSet, EnrolmentViewSet

router = SimpleRouter(trailing_slash=True)
router.register("catalog", CatalogViewSet, basename="api-catalog")
router.register("enrolments", EnrolmentViewSet, basename="api-enrolment")
router.register("assignments", AssignmentViewSet, basename="api-assignment")

urlpatterns = [*router.urls]
