"""Settings of the bare yardstick: Django's defaults, one middleware, no apps, no database.

What "bare" means exactly: the same Django and the same gunicorn as the platform, but
MIDDLEWARE is only CommonMiddleware, INSTALLED_APPS is empty, there is no database, no
cache, no session, no authentication, no template rendering and no i18n middleware. The
one view returns a precomputed HTML page of the same size as the tenant page.
"""

SECRET_KEY = "bare-benchmark-only-not-a-secret"  # noqa: S105  (serves a static string on 127.0.0.1 only)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".localhost"]
ROOT_URLCONF = "bare.urls"
WSGI_APPLICATION = "bare.wsgi.application"
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
INSTALLED_APPS: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
