"""Hurtlink settings: every value comes from the environment (see the table in README.md)."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# "development" (the default: runs out of a clone) or "production" (docker compose, real deployments).
HURTLINK_ENV = os.environ.get("HURTLINK_ENV", "development")
PRODUCTION = HURTLINK_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when HURTLINK_ENV=production.")
    SECRET_KEY = "development-only-secret-key-never-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Key for passwords to external systems (Fernet, urlsafe base64 of 32 bytes). Derived from SECRET_KEY
# in development so a clone runs with no setup; production must set its own.
FIELD_ENCRYPTION_KEY = os.environ.get("HURTLINK_FIELD_ENCRYPTION_KEY", "")
if PRODUCTION and not FIELD_ENCRYPTION_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("HURTLINK_FIELD_ENCRYPTION_KEY must be set when HURTLINK_ENV=production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "django_countries",
    "accounts",
    "changes",
    "catalog",
    "orders",
    "demo",
    "shipments",
    "connect",
    "wmsbridge",
    "blconnector",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.tenancy.ActiveAccountMiddleware",
    "accounts.language.UserLanguageMiddleware",
    "accounts.time_zones.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.web.NotFoundPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.active_account",
            ],
            # Dates, numbers and money in the reader's locale, in every template without {% load %}; the
            # design layer's icons, sort links and query helpers.
            "builtins": ["config.templatetags.formats", "config.ui_tags"],
        },
    }
]

# --- Database and Redis -----------------------------------------------------------------------------
# The run/test commands start embedded servers and set these when they are missing (config/embedded.py).
# Connections are kept for a minute between requests — except under the development server, which
# runs each request in a thread of its own: a kept connection would outlive its thread and pile up
# until PostgreSQL refuses new clients (Django's docs: do not enable persistent connections there).
_DEV_SERVER = len(sys.argv) > 1 and sys.argv[1] == "runserver"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/hurtlink"),
        conn_max_age=0 if _DEV_SERVER else int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DATABASE_TEST_NAME", "test_hurtlink")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _kombu_url(url: str) -> str:
    # redis-py spells a socket "unix:///path", kombu "redis+socket:///path".
    if url.startswith("unix://"):
        return "redis+socket://" + url.removeprefix("unix://")
    return url


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "hurtlink",
    }
}

# --- Celery ------------------------------------------------------------------------------------------
CELERY_BROKER_URL = _kombu_url(os.environ.get("CELERY_BROKER_URL", REDIS_URL))
CELERY_RESULT_BACKEND = _kombu_url(os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL))
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With acks_late, a task cut off by a lost broker connection is redelivered rather than left running.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# What a task prints (in development, the console e-mail backend's messages) goes to the console as it
# is, not cut into WARNING lines of the worker's log.
CELERY_WORKER_REDIRECT_STDOUTS = False
# A task that is not picked up within this time after a worker died is handed to another worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
}
CELERY_TIMEZONE = "UTC"
# Static schedule; each app adds its periodic tasks here (README: "Periodic jobs").
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "accounts-invitations-expire": {
        "task": "accounts.tasks.invitations_expire",
        "schedule": 60 * 60,
    },
    "changes-sweep": {
        "task": "changes.tasks.changes_sweep",
        "schedule": 60,
    },
    "changes-purge": {
        "task": "changes.tasks.changes_purge",
        "schedule": 24 * 60 * 60,
    },
    "wmsbridge-dispatch": {
        "task": "wmsbridge.tasks.wms_dispatch",
        "schedule": 15 * 60,
    },
    "connect-sync-check": {
        "task": "connect.tasks.connect_sync_check",
        "schedule": 15 * 60,
    },
    "connect-imports-refresh": {
        "task": "connect.tasks.connect_imports_refresh_all",
        "schedule": 15 * 60,
    },
}

# --- Auth ---------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_DAYS_VALID = 7

# --- I18N ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pl", _("Polish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's choice for people who are not signed in (a signed-in person's is on their profile).
LANGUAGE_COOKIE_NAME = "hurtlink_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In development static files are served from the apps' folders; the collected folder may not exist yet.
WHITENOISE_USE_FINDERS = DEBUG
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".data" / "media"))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Hurtlink <noreply@localhost>")
SITE_URL = os.environ.get("HURTLINK_SITE_URL", "http://127.0.0.1:8000")

# Outgoing HTTP to user-given URLs (WMS connections) reaches public addresses only (wmsbridge/outbound.py);
# these hosts ("host" or "host:port", comma-separated) are let through anyway — e.g. a sandbox on loopback.
OUTBOUND_ALLOWED_HOSTS = env_list("HURTLINK_OUTBOUND_ALLOWED_HOSTS", [])

# --- REST API -----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsAccountMember"],
    "DEFAULT_FILTER_BACKENDS": [
        "accounts.filters.AccountFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The JSON parser refuses nesting deeper than config.fields.JSON_MAX_DEPTH with a 400.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The browsable API (HTML pages with forms) is a development aid; production answers JSON only, so its
# forms and filter widgets are never an attack surface there, whatever DJANGO_DEBUG says.
if not PRODUCTION:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Hurtlink API",
    "DESCRIPTION": "Catalogs, orders, shipments, Connect and the WMS bridge of one Hurtlink account. "
    "Authenticate with `Authorization: Bearer <token>` (tokens are created under Settings → API tokens).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role",
        "DelegatedRoleEnum": ["admin", "member"],
        "CurrencyEnum": "accounts.models.CURRENCY_CHOICES",
        "ProductExtraFieldKindEnum": "catalog.models.ExtraField.Kind",
        "OrderStatusKindEnum": "orders.models.OrderStatus.Kind",
        "OrderSourceKindEnum": "orders.models.OrderSource.Kind",
        "OrderExtraFieldKindEnum": "orders.models.OrderExtraField.Kind",
        "WmsSyncKindEnum": "wmsbridge.models.SyncKind",
        "ConnectPublicationStateEnum": "connect.models.Publication.State",
        "ConnectRequestStateEnum": "connect.models.ConnectionRequest.State",
        "ConnectLinkStateEnum": "connect.models.ContractorLink.State",
        "CountryEnum": "django_countries.countries",
        "ForwardStateEnum": "connect.models.ForwardedOrder.State",
        "CreditEntryKindEnum": "connect.models.CreditEntry.Kind",
    },
    # Swagger UI is vendored under static/ so the docs page works with no internet.
    "SWAGGER_UI_DIST": "/" + STATIC_URL + "vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/" + STATIC_URL + "vendor/swagger-ui/favicon-32x32.png",
}

# --- Security (production) ------------------------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"client_errors": {"()": "config.logging_filters.ClientErrorsWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client_errors"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default handler would print every django.* line a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # One line per HTTP request would flood the log during a WMS sync.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- BaseLinker-compatible API (/connector.php) --------------------------------------------------------
# Requests per token per window (a token's own limit overrides it), and how long an excess blocks it.
BLCONNECTOR_RATE_LIMIT = int(os.environ.get("BLCONNECTOR_RATE_LIMIT", "100"))
BLCONNECTOR_RATE_WINDOW = 60
BLCONNECTOR_BLOCK_SECONDS = int(os.environ.get("BLCONNECTOR_BLOCK_SECONDS", "60"))
# getJournalList reads this many days back (BaseLinker: 3); getOrders without a paging key reads the
# orders created in the last BLCONNECTOR_ORDERS_DEFAULT_DAYS days.
BLCONNECTOR_JOURNAL_DAYS = 3
BLCONNECTOR_ORDERS_DEFAULT_DAYS = int(os.environ.get("BLCONNECTOR_ORDERS_DEFAULT_DAYS", "7"))

# Where a signed-in user who belongs to no account is sent (they can create one there).
NO_ACCOUNT_URL = "account-create"
