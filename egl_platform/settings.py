"""Settings, read from the environment only (DESIGN.md §13).

With no environment at all this is the embedded default: a SQLite file, Celery running
tasks eagerly, local media files and e-mail printed to the console. `.env.example`
lists every variable.
"""

import secrets
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

TESTING = "pytest" in sys.modules or env.bool("EGL_TESTING", default=False)
DEBUG = env.bool("DEBUG", default=False)
# HTTPS in front of us (production): secure cookies, HSTS, redirect to https.
EGL_HTTPS = env.bool("EGL_HTTPS", default=False)


def _secret_key() -> str:
    """The SECRET_KEY from the environment; for the embedded demo, one made once and kept in var/."""
    if key := env.str("SECRET_KEY", default=""):
        return key
    VAR_DIR.mkdir(exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

# --- Tenancy ---------------------------------------------------------------------------
# Tenants live at <slug>.<EGL_BASE_DOMAIN>; the bare base domain serves platform pages.
EGL_BASE_DOMAIN = env.str("EGL_BASE_DOMAIN", default="localhost").lower()
EGL_PUBLIC_PORT = env.str("EGL_PUBLIC_PORT", default="" if EGL_HTTPS else "8000")
EGL_SCHEME = "https" if EGL_HTTPS else "http"
ALLOWED_HOSTS = [
    EGL_BASE_DOMAIN,
    f".{EGL_BASE_DOMAIN}",
    *env.list("EXTRA_ALLOWED_HOSTS", default=[]),
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    # Our apps. egl_platform comes first so its management commands (migrate, flush)
    # wrap Django's own: they run as the database owner, see egl_platform/db/roles.py.
    "egl_platform",
    "tenants",
    "authoring",
    "reviews",
    "courses",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenants.middleware.MembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After the membership is known, and last: it marks frameable responses before the
    # X-Frame-Options and CSP middleware above see them (courses/guests.py).
    "courses.guests.GuestConfinementMiddleware",
]

ROOT_URLCONF = "egl_platform.urls"
PLATFORM_URLCONF = "egl_platform.urls_platform"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.tenancy",
                "reviews.context.inbox",
            ],
        },
    },
]

WSGI_APPLICATION = "egl_platform.wsgi.application"

# --- Database ----------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'egl.sqlite3'}")}
# Migrations (and the test database set-up) run as the owner of the tables when
# DATABASE_OWNER_URL is given; the application itself connects as DATABASE_URL, a role
# that is neither superuser nor BYPASSRLS, so row-level security binds it.
EGL_DATABASE_OWNER = (
    env.db("DATABASE_OWNER_URL", default="") if env.str("DATABASE_OWNER_URL", default="") else None
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "egl_platform.db.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if _test_db_name := env.str("EGL_TEST_DB_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": _test_db_name}
# The role row-level security must bind; granted its table rights after every migrate.
EGL_DATABASE_APP_ROLE = DATABASES["default"].get("USER") if EGL_DATABASE_OWNER else None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ---------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "egl_platform.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "tenants.scope.tenant_cache_key",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "tenants.scope.tenant_cache_key",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Accounts ----------------------------------------------------------------------------
AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = ["tenants.auth_backend.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is slow by design; tests hash thousands of passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
# Failed sign-ins per e-mail address (and per client address) before a pause.
EGL_LOGIN_MAX_FAILURES = env.int("EGL_LOGIN_MAX_FAILURES", default=5)
EGL_LOGIN_LOCKOUT_SECONDS = env.int("EGL_LOGIN_LOCKOUT_SECONDS", default=15 * 60)
EGL_INVITATION_DAYS = env.int("EGL_INVITATION_DAYS", default=14)

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from here after collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
EGL_STORAGE = env.str("EGL_STORAGE", default="local")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if EGL_STORAGE == "s3"
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("EGL_STATIC_MANIFEST", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
EGL_LOGO_MAX_BYTES = 2 * 1024 * 1024
# The platform's cap on one media upload (MB); each tenant's own limit (Tenant.upload_limit_mb)
# applies below it.
EGL_UPLOAD_MAX_MB = env.int("EGL_UPLOAD_MAX_MB", default=500)
# Course archives (export_course --format archive / import_course): most they may unpack to.
EGL_ARCHIVE_MAX_MB = env.int("EGL_ARCHIVE_MAX_MB", default=1024)

# --- E-mail --------------------------------------------------------------------------------
# EMAIL_URL like smtp://user:password@host:587/?tls=True, consolemail://, filemail:///path.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_EMAIL_OPTION_NAMES = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_FILE_PATH": "file_path",
    "EMAIL_TIMEOUT": "timeout",
}
_smtp_only = {"host", "port", "username", "password", "use_tls", "use_ssl", "timeout"}
_is_smtp = _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {
            option: _email[name]
            for name, option in _EMAIL_OPTION_NAMES.items()
            if _email.get(name) not in (None, "") and (_is_smtp or option not in _smtp_only)
        },
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="EGL Platform <no-reply@egl.invalid>")

# --- Celery --------------------------------------------------------------------------------
# No broker configured: run tasks in-process, so `make run` needs no Redis. (The in-memory
# transport is named only so kombu does not go looking for a broker on localhost.)
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="egl")
# Periodic tasks (`make beat`), in UTC: the daily notification digest and review reminders.
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "reviews-digests": {
        "task": "reviews.digests_send",
        "schedule": crontab(minute=0, hour=7),
    },
    "reviews-reminders": {
        "task": "reviews.reminders_send",
        "schedule": crontab(minute=15),
    },
    "courses-due-reminders": {
        "task": "courses.due_reminders_send",
        "schedule": crontab(minute=30, hour=7),
    },
}

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.rest.authentication.ApiTokenAuthentication",
        "tenants.rest.authentication.TenantSessionAuthentication",
    ],
    # Default deny: a view that names no capability refuses everyone.
    "DEFAULT_PERMISSION_CLASSES": ["egl_platform.rest.permissions.HasCapability"],
    "DEFAULT_PAGINATION_CLASS": "egl_platform.rest.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "egl_platform.rest.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EGL Platform API",
    "DESCRIPTION": "Everything the EGL user interface does, over HTTP. Served on each tenant's host.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "tenants.permissions.Role",
        "GroupKindEnum": "tenants.models.GroupKind",
        "PageKindEnum": "authoring.blocks.pages.PageKind",
        "AssetKindEnum": "authoring.media.sniff.KINDS",
    },
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "tokenAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal API token from your profile page.",
            }
        }
    },
}

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_DOMAIN = None  # host-only: each tenant host has its own cookies
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = EGL_HTTPS
CSRF_COOKIE_SECURE = EGL_HTTPS
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_TRUSTED_ORIGINS = [
    f"{EGL_SCHEME}://*.{EGL_BASE_DOMAIN}" + (f":{EGL_PUBLIC_PORT}" if EGL_PUBLIC_PORT else "")
]
SECURE_SSL_REDIRECT = EGL_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if EGL_HTTPS else None
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if EGL_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = EGL_HTTPS
SECURE_HSTS_PRELOAD = EGL_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (Django 6): scripts and styles only from us or with the
# per-response nonce; no inline handlers anywhere. Routes meant to be embedded relax
# frame-ancestors with django.views.decorators.csp.csp_override.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [
        CSP.SELF,
        f"{EGL_SCHEME}://*.{EGL_BASE_DOMAIN}:*",
        f"{EGL_SCHEME}://*.{EGL_BASE_DOMAIN}",
    ],
    "frame-ancestors": [CSP.NONE],
    # The embed allowlist's iframe hosts (authoring/embeds.py; a test keeps them in step).
    "frame-src": [
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://www.loom.com",
        "https://*.sharepoint.com",
        "https://docs.google.com",
        "https://miro.com",
    ],
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
