"""Settings for the competition system: one module, every deploy knob from the environment.

With nothing set, it runs embedded: SQLite, the in-memory channel layer, in-process
tasks. ``DATABASE_URL`` and ``REDIS_URL`` switch the same code to PostgreSQL and Redis.
"""

import tempfile
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The fallback key only serves local runs; `check --deploy` flags it, on purpose.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-only-do-not-deploy")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "channels",
    "rules.apps.AutodiscoverRulesConfig",
    "competitions",
    "scoring",
    "certificates",
    "live",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "scoring.login_codes.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and WAL let the judge API write while boards read,
    # without "database is locked" under several concurrent writers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The test database is a file, not memory, so a real server subprocess
    # (tests/live_server.py) sees it; pytest appends a per-process suffix.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("SQLITE_TEST_FILE", default=str(Path(tempfile.gettempdir()) / "skillcontest-test.sqlite3"))
    }

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py refuses more than its pool's max_connections; say it explicitly.
                        "max_connections": 1000,
                        # redis-py 8 reads with a 5 s socket timeout, the same as the layer's 5 s BZPOPMIN:
                        # an idle receive raced it and failed as "unreachable" (the live hub then went
                        # into its retry backoff). Reads must outlast the blocking pop.
                        "socket_timeout": 15,
                        "socket_connect_timeout": 5,
                    }
                ]
            },
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (certificate batches) through Django's task framework. "database" (default):
# django-tasks-db keeps the queue in the database and `manage.py db_worker` runs it, off the request
# (`make demo` and `make serve` start one; run as many as you like, on any machine sharing the
# database). "immediate": the task runs inside the request that enqueues it; no worker needed.
# "redis": the same tasks on a Redis-backed worker pool (django-tasks-redis, needs REDIS_URL):
# `manage.py run_redis_tasks --continuous` on as many machines as you like.
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "redis": "django_tasks_redis.RedisTaskBackend",
}
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {TASKS_BACKEND!r}")
if TASKS_BACKEND == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("TASKS_BACKEND=redis needs REDIS_URL")
INSTALLED_APPS += ["django_tasks_db"] + (["django_tasks_redis"] if TASKS_BACKEND == "redis" else [])
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[TASKS_BACKEND],
        "QUEUES": ["default"],
        "OPTIONS": {"REDIS_URL": REDIS_URL} if TASKS_BACKEND == "redis" else {},
    }
}

# Certificates: QR codes point at SITE_URL + /verify/<code>/, so it must be the public address.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
CERTIFICATE_SERIAL_PREFIX = env.str("CERTIFICATE_SERIAL_PREFIX", default="CQ")
# Where CJK font subsets are cached; empty means a per-user directory under the system temp dir.
CERTIFICATE_FONT_CACHE = env.str("CERTIFICATE_FONT_CACHE", default="")
# Worker processes for bulk issue; each is recycled after a few chunks to bound WeasyPrint's memory.
CERTIFICATE_WORKERS = env.int("CERTIFICATE_WORKERS", default=2)

AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend plus a lockout after repeated failed logins (see scoring/login_codes.py).
    "scoring.login_codes.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
]
if env.bool("FAST_PASSWORD_HASHER", default=False):
    # Test runs only (tests/conftest.py sets it): a real hash costs ~1 s on this box.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Judges' tablets: log out after this many idle seconds (0 = never); lock a username out after failed logins.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=2 * 3600)
LOGIN_LOCKOUT_ATTEMPTS = env.int("LOGIN_LOCKOUT_ATTEMPTS", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploaded spreadsheets are parsed in memory; anything larger is refused with a 400.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "劳动和技能竞赛系统 API",
    "DESCRIPTION": "Competitions, events, entries, judges, marks, standings and certificates.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "kind"; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "competitions.models.Organisation.Kind",
        "CompetitionStatusEnum": "competitions.models.Competition.Status",
        "CompetitionPublicationEnum": "competitions.models.Competition.Publication",
        "EventKindEnum": "competitions.models.Event.Kind",
        "EntryStatusEnum": "competitions.models.Entry.Status",
        "DrawKindEnum": "competitions.models.Draw.Kind",
        "MarkStatusEnum": "scoring.models.Mark.Status",
        "AppealStatusEnum": "scoring.models.Appeal.Status",
        "CriterionKindEnum": "scoring.models.Criterion.Kind",
        "CertificateKindEnum": "certificates.models.CertificateKind",
        "CertificateStatusEnum": "certificates.models.Certificate.Status",
        "CertificateBatchStatusEnum": "certificates.models.CertificateBatch.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    # Behind nginx terminating TLS (docs/nginx.conf sets this header).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
