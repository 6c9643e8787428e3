from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from authoring.categories import register_category_policy
        from reviews.policy import ReviewCategoryPolicy

        register_category_policy(ReviewCategoryPolicy())
