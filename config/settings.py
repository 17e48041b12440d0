"""Settings for the competition system: one module, every deploy knob from the environment.

With nothing set, it runs embedded: SQLite, the in-memory channel layer, in-process
tasks. ``DATABASE_URL`` and ``REDIS_URL`` switch the same code to PostgreSQL and Redis.
"""

import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The fallback key only serves local runs with DEBUG on. Certificate verification codes are signed
# with SECRET_KEY, so a server on the public fallback would let anyone forge them: without DEBUG,
# a missing or weak key (Django's own test: 50+ characters, 5+ different ones, not "django-insecure-")
# stops every start-up, the server's and manage.py's alike. The test suite runs on tests/settings.py.
INSECURE_SECRET_KEY = "django-insecure-local-only-do-not-deploy"  # noqa: S105 (the public fallback, refused below)
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_SECRET_KEY)
if not DEBUG and (SECRET_KEY.startswith("django-insecure-") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or weak, and DEBUG is off: refusing to start. Set SECRET_KEY to a random "
        "value of at least 50 characters (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
        "or DEBUG=1 for a local run."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Origins (scheme://host[:port]) allowed to open WebSockets besides the site's own (config/websocket.py).
WS_ALLOWED_ORIGINS = env.list("WS_ALLOWED_ORIGINS", default=CSRF_TRUSTED_ORIGINS)

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
    "knox",
    "channels",
    "axes",
    "csp",
    "competitions",
    "scoring",
    "certificates",
    "live",
    "judging",
    "quizzes",
    "matches",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "judging.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.DomainErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into judging.auth.lockout_response.
    "axes.middleware.AxesMiddleware",
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
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Content-Security-Policy (django-csp): scripts and styles from this site only, or carrying the
# request's nonce (``{{ CSP_NONCE }}`` / ``request.csp_nonce``, for the few inline <style> blocks).
# No 'unsafe-inline' for scripts: behaviour lives in static/*.js, wired up by data attributes.
# WebSockets are same-origin ('self' covers ws:/wss: on this host). The API docs page loads
# Swagger UI from its CDN and adds that for itself (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],  # as X-Frame-Options: DENY
    }
}

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

# Django's psycopg pool for PostgreSQL (DESIGN.md, "Database connections under ASGI"): each sync request
# runs in a new thread under ASGI, so per-thread persistent connections exhaust PostgreSQL and a fresh
# connection per request costs it most of its CPU. DATABASE_POOL_MAX > 0 turns the pool on (connections
# per process; two Daphne processes × 20 fit PostgreSQL's default 100). Off by default: unchanged behaviour.
DATABASE_POOL_MAX = env.int("DATABASE_POOL_MAX", default=0)
if DATABASE_POOL_MAX and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(4, DATABASE_POOL_MAX),
        "max_size": DATABASE_POOL_MAX,
        "timeout": 10,
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
                ],
                # How long Redis keeps a group member; the live hub re-joins every half of it.
                "group_expiry": env.int("CHANNELS_GROUP_EXPIRY_S", default=86400),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A stalled Redis must not hold a request: the rate limits read the cache on every API
            # write and let the request through when it does not answer (config/throttling.py).
            "OPTIONS": {
                "socket_timeout": env.float("REDIS_CACHE_TIMEOUT_S", default=0.25),
                "socket_connect_timeout": env.float("REDIS_CACHE_TIMEOUT_S", default=0.25),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The live board is built and published after commit on a background thread per process, so a
# Redis stall never holds a judge's POST (live/broadcaster.py). With the in-memory layer (one
# process, nothing to stall) it runs inline in the committing thread.
LIVE_BROADCAST_BACKGROUND = env.bool("LIVE_BROADCAST_BACKGROUND", default=bool(REDIS_URL))

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
    # django-axes' lockout after repeated failed logins (see judging/auth.py): it refuses a locked-out
    # login and authenticates nobody itself. First, so it sees every login before ModelBackend; and it
    # is a ModelBackend, because Client.force_login and login() without a backend use the first listed.
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
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
# Judges' tablets: log out after this many idle seconds (0 = never).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=2 * 3600)

# Lockout after failed logins (django-axes, see judging/auth.py): LOGIN_LOCKOUT_ATTEMPTS failures
# lock one username at one client address for LOGIN_LOCKOUT_SECONDS. Never the username alone:
# then anyone could lock a judge out from another machine during a contest.
LOGIN_LOCKOUT_ATTEMPTS = env.int("LOGIN_LOCKOUT_ATTEMPTS", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
AXES_FAILURE_LIMIT = LOGIN_LOCKOUT_ATTEMPTS
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_LOCKOUT_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Counts live in the default cache: Redis with REDIS_URL, so every process shares them.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "default"
AXES_RESET_ON_SUCCESS = True  # a good login clears that username's failures at that address
# A try while locked out does not restart the cool-off: the lock ends LOGIN_LOCKOUT_SECONDS after the last failure.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "judging.auth.lockout_response"
AXES_ENABLE_ADMIN = False  # the cache handler writes no attempt rows, so axes' admin pages would stay empty
# The client address is REMOTE_ADDR. Behind nginx as in docs/DEPLOY.md, Daphne's --proxy-headers puts
# the X-Forwarded-For address there, and nginx sets that header to $remote_addr (overwriting, so a
# client cannot pick its own address and lock a judge out at the judge's). A server that leaves the
# proxy's address in REMOTE_ADDR would lock a username for everyone: there install django-ipware and
# set AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") and
# AXES_IPWARE_PROXY_COUNT = <number of proxies in front>.
if not REDIS_URL:
    # Embedded runs use the in-process cache: fine for the one process they run; axes warns regardless.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]

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
# An .xlsx is a zip of XML: these bound what the compressed bytes may unpack to (competitions.imports,
# check_archive), so a small hostile file cannot take the process's memory. A 5000-row roster unpacks
# to about 4 MB with about 40,000 strings; the defaults leave ample room.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=5000)
IMPORT_MAX_PARTS = env.int("IMPORT_MAX_PARTS", default=200)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=30 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
IMPORT_MAX_STRINGS_BYTES = env.int("IMPORT_MAX_STRINGS_BYTES", default=8 * 1024 * 1024)
IMPORT_MAX_STRINGS = env.int("IMPORT_MAX_STRINGS", default=200_000)
IMPORT_MAX_ROW_CELLS = env.int("IMPORT_MAX_ROW_CELLS", default=1024)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=200)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024

# Online quizzes: DRF throttles per client address (sign-in, start) and per participant (answers, submit).
# Many workers sit behind one enterprise NAT, so the per-address rate is generous.
QUIZ_RATE_PER_ADDRESS = env.str("QUIZ_RATE_PER_ADDRESS", default="600/min")
QUIZ_RATE_PER_PARTICIPANT = env.str("QUIZ_RATE_PER_PARTICIPANT", default="120/min")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The browser's session (CSRF-checked), and per-user API tokens for clients (django-rest-knox:
    # POST /api/v1/auth/token/). No HTTP Basic: it re-hashes a password on every request, which is
    # slow for clients and lets anyone saturate the server with random usernames.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    # Counted in the default cache: Redis with REDIS_URL, so every process shares the counts.
    "DEFAULT_THROTTLE_CLASSES": ["config.throttling.WriteRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # Bodies, query parameters and pages are read strictly: see config/api.py.
    "DEFAULT_PARSER_CLASSES": [
        "config.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.PageNumberPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
}
# Rates ("<count>/<s|min|hour|day>"), read by config.throttling on every request. "login": password
# logins (the form and POST /api/v1/auth/token/ together) per client address, beside django-axes'
# per-username lockout. "write": API writes (POST, PUT, PATCH, DELETE) per signed-in user (per address
# for anonymous ones): a judge's tablet sends a few a minute, a retrying offline queue a burst.
THROTTLE_RATES = {
    "login": env.str("LOGIN_RATE", default="30/min"),
    "write": env.str("API_WRITE_RATE", default="120/min"),
}
# API tokens (django-rest-knox): only a hash is stored; each expires, and DELETE /api/v1/auth/token/ revokes it.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=12)),
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKENS_PER_USER", default=10),
    "AUTH_HEADER_PREFIX": "Token",
}
# A read-only live socket that sends more than this many messages in a second is closed (code 4429).
WS_MAX_MESSAGES_PER_SECOND = env.int("WS_MAX_MESSAGES_PER_SECOND", default=5)

SPECTACULAR_SETTINGS = {
    "TITLE": "劳动和技能竞赛系统 API",
    "DESCRIPTION": "Competitions, events, entries, judges, marks, standings and certificates.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The error-code registry (config.errors.ERRORS) is listed in the description.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.errors.openapi_error_codes",
        "config.openapi.closed_components",
        "config.openapi.error_responses",
    ],
    # Several models have a "status" or "kind"; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "competitions.models.Organisation.Kind",
        "CompetitionStatusEnum": "competitions.models.Competition.Status",
        "CompetitionPublicationEnum": "competitions.models.Competition.Publication",
        "EventKindEnum": "competitions.models.Event.Kind",
        "EntryStatusEnum": "competitions.models.Entry.Status",
        "DrawKindEnum": "competitions.models.Draw.Kind",
        "MarkStatusEnum": "scoring.models.Mark.Status",
        "EndSideEnum": "matches.models.End.Side",
        "AppealStatusEnum": "scoring.models.Appeal.Status",
        "CriterionKindEnum": "scoring.models.Criterion.Kind",
        "CertificateKindEnum": "certificates.models.CertificateKind",
        "CertificateStatusEnum": "certificates.models.Certificate.Status",
        "CertificateBatchStatusEnum": "certificates.models.CertificateBatch.Status",
        "JudgeAssignmentRoleEnum": "competitions.models.JudgeAssignment.Role",
        "JudgeAccountRoleEnum": "judging.api.JUDGE_ACCOUNT_ROLES",
        "QuestionKindEnum": "quizzes.models.Question.Kind",
        "SheetBulkActionEnum": "scoring.services.SHEET_BULK_ACTIONS",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Certificate rendering: WeasyPrint logs every layout step at INFO (even while importing,
        # for its own stylesheets): thousands of lines per batch. Its warnings (bad CSS, a refused
        # fetch) still show.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        # fontTools (which WeasyPrint may use for fonts) logs every subset at INFO.
        "fontTools": {"level": "WARNING"},
        "axes.apps": {"level": "WARNING"},  # not axes' version banner on every manage.py command
    },
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
