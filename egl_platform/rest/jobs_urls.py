from rest_framework.routers import SimpleRouter

from egl_platform.rest.jobs_views import JobViewSet

router = SimpleRouter(trailing_slash=True)
router.register("jobs", JobViewSet, basename="api-job")

urlpatterns = router.urls
