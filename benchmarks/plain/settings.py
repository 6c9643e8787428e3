"""Settings of the "plain Django" yardstick: a signed-in page without any EGL layer.

It does the same job as the tenant page, the way a stock Django project does it: Django's
session (in the same Redis), authentication (the user from PostgreSQL over a persistent
connection, CONN_MAX_AGE as the platform), CSRF and security middleware, and a template
that greets the signed-in person, padded to the tenant page's size. What it lacks is
exactly what EGL adds: the tenant from the host, the membership and its roles, row-level
security, locale, CSP nonces, messages, the tenancy context. Its own database
(PLAIN_DATABASE_URL), since the platform's has a custom user model.
"""

import os

import environ

env = environ.Env()
SECRET_KEY = "plain-benchmark-only-not-a-secret"  # noqa: S105  (a throwaway page on 127.0.0.1)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".localhost"]
ROOT_URLCONF = "plain.urls"
WSGI_APPLICATION = "plain.wsgi.application"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {"default": env.db("PLAIN_DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "plain-benchmark",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
USE_TZ = True
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
