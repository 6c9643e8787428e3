from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from analytics.receivers import learning_event_received
        from courses.tracking import learning_event

        learning_event.connect(
            learning_event_received, dispatch_uid="analytics.learning_event_received"
        )
