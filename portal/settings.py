"""Settings for the Jingjinji Industrial Cloud Portal.

One module, driven by environment variables with safe development defaults.
Production differs only through the environment (see README, "Configuration").
"""

import ipaddress
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal import logs as _logs

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# --- core -------------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)
# The development key is only for `make run` / `make test`; production must set DJANGO_SECRET_KEY.
SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")

# The public site is served at PORTAL_DOMAIN, each enterprise at <slug>.PORTAL_DOMAIN.
PORTAL_DOMAIN = env("PORTAL_DOMAIN", "localhost").strip().lower()
PORTAL_PORT = env("PORT", "8000")
PORTAL_SCHEME = env("PORTAL_SCHEME", "http")
# Who runs the service, shown in every page's footer and on /about/ (Chinese sites name their
# operator, sponsor, hotline and ICP filing number there). Empty by default, and an empty one is not
# shown; `make run` passes demo values (portal/runner.py, DEMO_SITE_FACTS).
PORTAL_OPERATOR_NAME = env("PORTAL_OPERATOR_NAME").strip()
PORTAL_SPONSOR_NAME = env("PORTAL_SPONSOR_NAME").strip()
PORTAL_HOTLINE = env("PORTAL_HOTLINE").strip()
PORTAL_ICP_NUMBER = env("PORTAL_ICP_NUMBER").strip()
ALLOWED_HOSTS = [PORTAL_DOMAIN, f".{PORTAL_DOMAIN}", *filter(None, env("EXTRA_ALLOWED_HOSTS").split(","))]
# A POST is accepted only from the host's own origin (Django compares Origin, or Referer over HTTPS,
# with the request's scheme and Host): one enterprise's pages cannot post to another's, nor to the
# public site. No flow posts across hosts (the public site hands over to an enterprise with a
# one-time GET link), so nothing is trusted beyond that; never add a wildcard of PORTAL_DOMAIN.
CSRF_TRUSTED_ORIGINS: list[str] = []
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
# Behind a proxy that terminates HTTPS, the header it sets to say so (e.g. X-Forwarded-Proto), so
# that the host's own origin is https://... Set it only when that proxy always sets or strips it.
if env("SECURE_PROXY_SSL_HEADER").strip():
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + env("SECURE_PROXY_SSL_HEADER").strip().upper().replace("-", "_"),
        "https",
    )

# --- apps: the data-placement rule ------------------------------------------------------------------
# Public schema: reference data, users, tenants, frameworks, loan products, exhibitions and published
# facts. Tenant schemas: each enterprise's private data, and nothing else. Content types, Django
# permissions and groups, and django-tenant-users' per-tenant permission rows are the same for every
# enterprise (or unused: roles are tenants.members.Membership), so they live in public only; a
# tenant schema has 15 tables instead of 22 (see docs/scaling.md, "Catalog").

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "tenant_users.permissions",
    "tenant_users.tenants",
    "django.contrib.admin",
    "axes",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "csp",
    "django_celery_beat",
    "django_structlog",
    "core",
    "portal",
    "worker",
    "manufacturing.frameworks",
    "manufacturing.review",
    "programmes",
    "reports",
    "finance.lending",
    "exhibition.hall",
]

TENANT_APPS = [
    "tenants.members",
    "manufacturing",
    "finance",
    "exhibition",
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Enterprise"
TENANT_DOMAIN_MODEL = "tenants.Domain"
AUTH_USER_MODEL = "tenants.User"
TENANT_USERS_DOMAIN = PORTAL_DOMAIN
# New enterprises are cloned from this migrated template schema instead of being migrated from
# scratch; `manage.py setup_platform` keeps it migrated.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# search_path is set once per request rather than on every cursor.
TENANT_LIMIT_SET_CALLS = True
PUBLIC_SCHEMA_URLCONF = "portal.urls_public"
ROOT_URLCONF = "portal.urls_tenant"

MIDDLEWARE = [
    # Metrics and logs (portal/logs.py, portal/metrics.py): outermost, so every answer is counted,
    # timed by view and logged with its request id, the early ones below included.
    "portal.logs.RequestLogMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # First, so that every response gets the Content-Security-Policy header, those of the middleware
    # below (unknown host, "being upgraded", health, outage) included.
    "csp.middleware.CSPMiddleware",
    # PostgreSQL or Redis down: 503 + Retry-After from any middleware below or any view, never a 500.
    # Outside every middleware that touches either (the CSP one touches neither).
    "portal.middleware.OutageMiddleware",
    # Before the tenant middleware, so the 404 for an unknown host is in the visitor's language too.
    # It reads only the cookie and Accept-Language; no database access.
    "django.middleware.locale.LocaleMiddleware",
    # /healthz on the public host, answered even when the database (needed just below) is down.
    "portal.middleware.HealthCheckMiddleware",
    # Resolves the tenant from the host; an unknown host gets 404.
    "portal.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A session is good only on the host it was made on (a copied cookie is anonymous elsewhere).
    "portal.middleware.SessionHostMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user who is not a member of the host's enterprise gets 404.
    "portal.middleware.MembersOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A query or form value with a NUL character: 400 naming the field (JSON: core/parsers.py).
    "portal.middleware.UnstorableTextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a lockout into the bilingual "locked" page (429).
    "axes.middleware.AxesMiddleware",
]

# Per-tenant Django permissions are read in the public schema only (tenants/auth.py).
TENANT_USERS_PERMS_QUERYSET = "tenants.auth.tenant_permissions_queryset"

AUTHENTICATION_BACKENDS = [
    # First: refuses authentication while an account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "tenant_users.permissions.backend.UserBackend",
]

# Login throttling (django-axes): 5 failures lock the account, and separately the address, for 15
# minutes. Attempts are kept in the public schema.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "tenants.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "tenants.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The address an attempt is counted against: the same function as every rate limit (below).
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"

# The client's address (core/client_ip.py). By default the connection's own (REMOTE_ADDR), and
# X-Forwarded-For / X-Real-IP are ignored: anyone can send them. Behind a reverse proxy or load
# balancer that appends to X-Forwarded-For, name it: TRUSTED_PROXIES, comma-separated addresses or
# networks ("10.0.0.0/8,2001:db8::/32"); or PROXY_COUNT, the number of proxies in front of the app
# (used only when TRUSTED_PROXIES is empty).
TRUSTED_PROXIES = [part.strip() for part in env("TRUSTED_PROXIES").split(",") if part.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network") from None
PROXY_COUNT = int(env("PROXY_COUNT", "0") or "0")
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("PROXY_COUNT must be 0 or more")

# Per-address limits on anonymous writes and inquiries (core/limits.py): POSTs per client address
# (IPv6: per /64) in a window, as "<count>/<second|minute|hour|day>" or e.g. "10/15m". A page and its
# API share one budget. Counted in the Redis cache; with Redis unreachable the limits are not applied.
RATE_LIMITS = {
    # Registering an enterprise (page and API) and retrying a failed registration.
    "registration": env("REGISTRATION_RATE", "20/hour"),
    # A visitor's (buyer's) account in the exhibition hall.
    "signup": env("SIGNUP_RATE", "10/hour"),
    # Asking for a password-reset email.
    "password_reset": env("PASSWORD_RESET_RATE", "10/hour"),
    # API tokens for email and password (wrong passwords also count towards the sign-in lockout).
    "token": env("TOKEN_RATE", "30/hour"),
    # Buyers' inquiries to booths, per address (per account: 5 an hour and 20 a day, always).
    "inquiry": env("INQUIRY_RATE", "30/hour"),
    # Looking up a verified-report number on the public verification page and its API (every lookup
    # counts, GETs too: the numbers must not be enumerable).
    "verify": env("VERIFY_RATE", "60/hour"),
    # Password confirmations of a signed-in person: deleting their account, closing a workspace
    # (a stolen session must not try passwords without end).
    "password_confirm": env("PASSWORD_CONFIRM_RATE", "10/hour"),
}
# django-ratelimit counts nothing when its counter vanished between its add and its increment (the
# window ended that instant): let that request through rather than answer a stray 429.
RATELIMIT_FAIL_OPEN = True
for _action, _rate in RATE_LIMITS.items():
    if not re.fullmatch(r"[1-9]\d*/\d*(s|sec|second|m|min|minute|h|hour|d|day)", _rate.strip()):
        raise ImproperlyConfigured(f"The rate {_rate!r} of {_action} must look like 20/hour or 5/10m")
# A verified-assessment report is valid this many years from the day of its verification (to the
# day before the same date, as certificates state it), unless a newer verified assessment of the
# same framework supersedes it first (manufacturing/review/verification.py). Two years: banks and
# buyers read a digitalization level older than that as out of date, and the MIIT programmes ask
# enterprises to be assessed again within that time.
VERIFIED_REPORT_VALID_YEARS = int(env("VERIFIED_REPORT_VALID_YEARS", "2"))
if not 1 <= VERIFIED_REPORT_VALID_YEARS <= 20:
    raise ImproperlyConfigured("VERIFIED_REPORT_VALID_YEARS must be between 1 and 20 (years).")
# A closed enterprise's workspace is erased this many days after closing (tenants/lifecycle.py);
# until then its owner can reopen it and still sign in (to export its data).
ENTERPRISE_CLOSE_GRACE_DAYS = int(env("ENTERPRISE_CLOSE_GRACE_DAYS", "30"))
if not 0 <= ENTERPRISE_CLOSE_GRACE_DAYS <= 3650:
    raise ImproperlyConfigured("ENTERPRISE_CLOSE_GRACE_DAYS must be between 0 and 3650 (days).")
# Signed invitation links and the one-time sign-in links between hosts expire.
INVITATION_MAX_AGE_DAYS = 7
# The outbox (core/outbox.py): background work still undone this long after its last send (a lost
# message, a worker that died) is sent again by the one sweeper, at most OUTBOX_MAX_RESENDS times;
# then it is given up: logged at ERROR once, and the active superusers get a notice.
# `manage.py outbox_restart NAME` sends given-up work again. The names before the one outbox
# (SCORING_SWEEP_AFTER_SECONDS, SCORING_MAX_RESENDS) are still read when the new ones are not set.
OUTBOX_RESEND_AFTER_SECONDS = int(
    env("OUTBOX_RESEND_AFTER_SECONDS", env("SCORING_SWEEP_AFTER_SECONDS", "180"))
)
OUTBOX_MAX_RESENDS = int(env("OUTBOX_MAX_RESENDS", env("SCORING_MAX_RESENDS", "5")))
# An enterprise's data export (tenants/data_export.py): the zips are kept here, outside MEDIA_ROOT
# (never served as files: only the owners' download view streams them), for DATA_EXPORT_EXPIRE_DAYS.
# A running export not stamped for DATA_EXPORT_LEASE_SECONDS (its worker died) may be taken over;
# keep it below OUTBOX_RESEND_AFTER_SECONDS.
DATA_EXPORT_ROOT = Path(env("DATA_EXPORT_ROOT", str(BASE_DIR / "var" / "exports")))
DATA_EXPORT_EXPIRE_DAYS = int(env("DATA_EXPORT_EXPIRE_DAYS", "7"))
DATA_EXPORT_LEASE_SECONDS = int(env("DATA_EXPORT_LEASE_SECONDS", "120"))
# A send that fails because the broker (Redis) is down is tried again in the background, after
# 0.5 s, 1 s, 2 s... at most OUTBOX_SEND_RETRY_MAX_DELAY_SECONDS apart, for
# OUTBOX_SEND_RETRY_FOR_SECONDS; after that the sweeper sends it (core/outbox.py).
OUTBOX_SEND_RETRY_FOR_SECONDS = float(env("OUTBOX_SEND_RETRY_FOR_SECONDS", "600"))
OUTBOX_SEND_RETRY_MAX_DELAY_SECONDS = float(env("OUTBOX_SEND_RETRY_MAX_DELAY_SECONDS", "30"))
# PostgreSQL or Redis down: pages and the API answer 503 with this Retry-After (core/outages.py), and
# each web process logs one line per burst of such answers (a burst ends after this long without one).
OUTAGE_RETRY_AFTER_SECONDS = int(env("OUTAGE_RETRY_AFTER_SECONDS", "5"))
OUTAGE_LOG_QUIET_SECONDS = float(env("OUTAGE_LOG_QUIET_SECONDS", "60"))
# A task for an enterprise whose schema is being upgraded is sent again after this long.
UPGRADE_TASK_DELAY_SECONDS = int(env("UPGRADE_TASK_DELAY_SECONDS", "30"))
SWITCH_TOKEN_MAX_AGE_SECONDS = 60
# The earliest quarter the regional reports offer (older approvals still count in later quarters).
REPORTS_FIRST_QUARTER = env("REPORTS_FIRST_QUARTER", "2025Q1")
if not re.fullmatch(r"\d{4}Q[1-4]", REPORTS_FIRST_QUARTER):
    raise ImproperlyConfigured(f"REPORTS_FIRST_QUARTER must look like 2025Q1, not {REPORTS_FIRST_QUARTER!r}")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# --- data stores ------------------------------------------------------------------------------------
# `make run` / `make test` start embedded PostgreSQL and Redis and export these two variables; a
# deployment points them at its own servers.

# No default: a forgotten variable must not quietly use whatever server listens on 5432.
DATABASE_URL = env("DATABASE_URL")
if not DATABASE_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Use `make run` / `make test` (they start PostgreSQL and Redis and set it), "
        "or set DATABASE_URL and REDIS_URL yourself."
    )
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "60")))}
# django-tenants' backend with the search_path set only when it changes, and safe behind a
# transaction-pooling PgBouncer (portal/db/base.py).
DATABASES["default"]["ENGINE"] = "portal.db"
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# "transaction" behind PgBouncer in pool_mode=transaction: the schema is then set per transaction
# (SET LOCAL), never per session, and no server-side cursor outlives a transaction.
DATABASE_POOL_MODE = env("DATABASE_POOL_MODE", "session").strip().lower()
if DATABASE_POOL_MODE not in {"session", "transaction"}:
    raise ImproperlyConfigured(
        f"DATABASE_POOL_MODE must be session or transaction, not {DATABASE_POOL_MODE!r}"
    )
DATABASES["default"]["POOL_MODE"] = DATABASE_POOL_MODE
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOL_MODE == "transaction"
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(env("DB_CONNECT_TIMEOUT", "5"))
# A PostgreSQL streaming replica (hot standby) for the hall and the reports (core/replica.py).
if env("DATABASE_REPLICA_URL").strip():
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL").strip(), conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"].update(
        ENGINE="portal.db",
        CONN_HEALTH_CHECKS=True,
        OPTIONS={"connect_timeout": DATABASES["default"]["OPTIONS"]["connect_timeout"]},
        # A replica reached through its own PgBouncer in transaction pooling says so here.
        POOL_MODE=env("DATABASE_REPLICA_POOL_MODE", "session").strip().lower(),
        TEST={"MIRROR": "default"},
    )
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["replica"]["POOL_MODE"] == "transaction"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if not REDIS_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("REDIS_URL is not set (see DATABASE_URL above).")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Keys are prefixed with the schema name so tenants never share a cache entry.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": "portal",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery -----------------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
# tenant-schemas-celery looks the tenant up for every task; a short cache saves that query.
CELERY_TASK_TENANT_CACHE_SECONDS = 30
# Celery's Django fix-up closes the database connection before and after every task unless this is
# set; a new PostgreSQL connection per task cost a third of a scoring task. Connections are reused
# (closed every 500 tasks), and worker/celery.py closes one after any failed task, health-checks it
# before each task and keeps CONN_MAX_AGE (see _database_connection_* there).
CELERY_DB_REUSE_MAX = 1000

# --- auth, i18n, static -----------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Refuses a password that contains the account's email, or its part before the @ (4+ characters).
    {"NAME": "tenants.passwords.EmailInPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# `make test` sets this: password hashing at production strength would dominate the suite's time.
if env_bool("TEST_FAST_PASSWORD_HASHING"):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# In development WhiteNoise serves straight from the app folders; in production `collectstatic` runs
# in the image build and WhiteNoise serves STATIC_ROOT. Either way no asset comes from a CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"

# Backups (portal/backup, docs/operations.md "Backup and restore"). pg_dump and pg_restore connect
# straight to PostgreSQL: BACKUP_DATABASE_URL where DATABASE_URL goes through PgBouncer.
BACKUP_DATABASE_URL = env("BACKUP_DATABASE_URL", "").strip()
BACKUP_DIR = env("BACKUP_DIR", str(BASE_DIR / "var" / "backups"))  # `manage.py backup` with no destination
# An S3-compatible bucket (destination s3://bucket/prefix): endpoint (empty: AWS), region, credentials
# (empty: boto3's own chain, e.g. AWS_* variables or an instance role).
BACKUP_S3_ENDPOINT_URL = env("BACKUP_S3_ENDPOINT_URL", "").strip()
BACKUP_S3_REGION = env("BACKUP_S3_REGION", "").strip()
BACKUP_S3_ACCESS_KEY_ID = env("BACKUP_S3_ACCESS_KEY_ID", "").strip()
BACKUP_S3_SECRET_ACCESS_KEY = env("BACKUP_S3_SECRET_ACCESS_KEY", "").strip()

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@jjj-portal.local")

# --- API --------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.openapi.PortalAutoSchema",
    # Bearer first: an unauthenticated call then gets 401 with WWW-Authenticate: Bearer.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.auth.BearerTokenAuthentication",
        "core.csrf.SessionAuthentication",
    ],
    # On an enterprise's host, only its members get past (others: 404); see tenants/permissions.py.
    "DEFAULT_PERMISSION_CLASSES": ["tenants.permissions.IsHostMember"],
    # Deep JSON and text no column can hold (NUL, lone surrogates) are a 400 here, once for all APIs.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "core.parsers.FormParser",
        "core.parsers.MultiPartParser",
    ],
    # JSON only: DRF's browsable API pages carry inline styles the Content-Security-Policy refuses;
    # the interactive API is Swagger UI at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
# API tokens (django-rest-knox; tenants/auth.py reads them): a token is stored as a SHA-512 digest,
# lapses after API_TOKEN_IDLE_HOURS without use (each use moves its expiry on, at most once a minute)
# and API_TOKEN_MAX_AGE_DAYS after it was issued whatever the use. Every POST /api/v1/auth/token/
# issues a new one; logout, logout-all, a password change or reset and the removal from one's last
# enterprise revoke them.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=float(env("API_TOKEN_IDLE_HOURS", "10"))),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=float(env("API_TOKEN_MAX_AGE_DAYS", "7"))),
    "MIN_REFRESH_INTERVAL": 60,
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_LIMIT_PER_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jingjinji Industrial Cloud Portal API / 京津冀工业云平台 API",
    "DESCRIPTION": "The portal's API. Operations tagged `reference` are served on the public site "
    "(`PORTAL_DOMAIN`); operations tagged `workspace` on each enterprise's own host "
    "(`{slug}.PORTAL_DOMAIN`), for its members only. Sign in on that host; the session cookie "
    "authenticates, and unsafe methods need the X-CSRFToken header. Scripts get a token from "
    "`POST /api/v1/auth/token/` and send it as `Authorization: Bearer <token>` (see bearerAuth for "
    "its expiry; `POST /api/v1/auth/logout/` and `logout-all/` revoke tokens).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets come from drf-spectacular-sidecar and are served by the app, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge image from validator.swagger.io: nothing is loaded from outside the platform.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    # Request bodies get components of their own, without the read-only fields (id, created_at...)
    # that responses carry, so a client generated from the schema never has to send them.
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models call their choices "state": each set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ProgrammeStateEnum": "programmes.models.Programme.State",
        "ProjectStateEnum": "programmes.models.Project.State",
        "MilestoneStateEnum": "programmes.models.Milestone.State",
        "EnrolmentStatusEnum": "programmes.models.Enrolment.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.json_bodies_only",
    ],
}

# --- security and logging ---------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and requests from
# the host itself only, no inline script, style or event handler (pages load portal/js/portal.js
# and CSS files; the API docs' init script is a file too), no plugins, no framing, no <base>, and
# forms post to the host itself (the "My enterprises" page adds the hosts of the enterprises it
# lists: its forms answer with a redirect to them, which form-action governs; the API docs add data:
# images, which Swagger UI's style sheet uses for its icons). tests/test_web_security.py holds it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        # Where browsers report a violation (a URL of the deployment's choice); none by default.
        "report-uri": [uri for uri in [env("CSP_REPORT_URI").strip()] if uri] or None,
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- logs and metrics (docs/operations.md, "Logs" and "Metrics") -----------------------------------
# Structured logs (portal/logs.py): LOG_FORMAT=json for one JSON object per line (production), else
# structlog's readable console format. Every line of a request carries its request_id (an incoming
# X-Request-ID if sane), schema, user_id and view; the tasks it sends log the same request_id.
LOG_FORMAT = env("LOG_FORMAT", "console").strip().lower()
LOGGING = _logs.logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", "INFO"))
_logs.configure_structlog()
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True  # only once portal.logs found it sane
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # portal.logs binds core/client_ip.py's address instead
# One line per request at INFO: request_finished says all request_started does (which is DEBUG).
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = 10

# /metrics on the public host (portal/metrics.py), for a scraper that sends METRICS_TOKEN as a bearer
# token or comes from METRICS_ALLOWED_ADDRESSES (addresses or networks, comma-separated; the client
# address of core/client_ip.py). Neither set: /metrics does not exist (404).
METRICS_TOKEN = env("METRICS_TOKEN").strip()
METRICS_ALLOWED_ADDRESSES = [p.strip() for p in env("METRICS_ALLOWED_ADDRESSES").split(",") if p.strip()]
for _network in METRICS_ALLOWED_ADDRESSES:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_ADDRESSES: {_network!r} is not an address or network"
        ) from None
# prometheus_client's multiprocess mode: every gunicorn and Celery process writes its figures there and
# /metrics adds them up. Empty at start (the runner empties it; compose mounts a tmpfs).
PROMETHEUS_MULTIPROC_DIR = env("PROMETHEUS_MULTIPROC_DIR").strip()
# A worker on another machine than the web serves its own figures there (worker/metrics.py).
WORKER_METRICS_PORT = int(env("WORKER_METRICS_PORT", "0") or "0")
WORKER_METRICS_ADDRESS = env("WORKER_METRICS_ADDRESS", "127.0.0.1").strip()
