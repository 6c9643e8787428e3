"""EGL platform glue: settings, root URLs, the Celery app, error types and the Job model."""

from .celery import app as celery_app

__all__ = ("celery_app",)
