from rest_framework.routers import SimpleRouter

from authoring.rest.assets import AssetViewSet

router = SimpleRouter(trailing_slash=True)
router.register("assets", AssetViewSet, basename="api-asset")

urlpatterns = router.urls
