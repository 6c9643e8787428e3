"""Routes of the templates and wizard API under /api/v1/."""

from django.urls import path

from authoring.rest import templates as views

urlpatterns = [
    path("templates/", views.TemplateListView.as_view(), name="api-template-list"),
    path("templates/use/", views.TemplateUseView.as_view(), name="api-template-use"),
    path("wizard/recommend/", views.WizardRecommendView.as_view(), name="api-wizard-recommend"),
    path("wizard/create/", views.WizardCreateView.as_view(), name="api-wizard-create"),
    path(
        "courses/<uuid:course_uuid>/template/",
        views.CourseTemplateView.as_view(),
        name="api-course-template",
    ),
]
