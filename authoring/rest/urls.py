from rest_framework.routers import SimpleRouter

from authoring.rest import views

router = SimpleRouter(trailing_slash=True)
router.register("courses", views.CourseViewSet, basename="api-course")
router.register("sections", views.SectionViewSet, basename="api-section")
router.register("pages", views.PageViewSet, basename="api-page")

urlpatterns = router.urls
