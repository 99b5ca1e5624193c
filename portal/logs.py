"""Structured logs (structlog, django-structlog): one request followed from the web into the worker.

Every line of a request carries `request_id`, and from the view on `schema` (the enterprise's
schema, `public` on the public site), `user_id` and `view` (the route's name); django-tenants'
TenantContextFilter still adds `schema_name` and `domain_url` (the connection's schema when the line
was written). django-structlog puts the request id in the headers of every Celery task the request
sends and binds it again in the worker, so the task's lines carry the same `request_id` (and their
`task_id`). LOG_FORMAT=json writes one JSON object per line (production, docker-compose.yml); the
default is structlog's readable console format (`make run`, tests).

Stdlib loggers (`logging.getLogger(__name__)`, Django's, Celery's) and structlog's go through the
same handler and formatter, so both get the fields. No Django import at module level: settings
import this module.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
import uuid
from contextvars import ContextVar

import structlog

# An incoming X-Request-ID (from a proxy or a client retrying) is kept only if it looks like an id:
# letters, digits and - _ . : , at most 128 of them. Anything else (a log-injection attempt, a
# megabyte of header) is replaced by a fresh UUID.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

_TENANT_FIELDS = ("schema_name", "domain_url")

# Secrets that travel in URLs never reach the logs. Path segments: the routes whose arguments are
# secrets (tests/test_logs.py checks that every route with an argument named like one is here).
SECRET_ROUTE_ARGUMENTS = ("token", "uidb64")
_SECRET_SEGMENTS = re.compile(
    r"(?P<lead>/(?:verify-email|invitations)/)[^/?#\s]+"
    r"|(?P<reset>/password-reset/)[^/?#\s]+/(?P<last>[^/?#\s]+)"
)
# Query parameters whose value is a secret (matched anywhere in the name: access_token, api_key …).
_SECRET_PARAMETERS = re.compile(r"token|pass|secret|key|code|sig|auth|session|uid", re.IGNORECASE)


def _masked_segments(path: str) -> str:
    def mask(match: re.Match) -> str:
        if match["lead"]:
            return f"{match['lead']}<token>"
        # Django's reset view redirects to …/<uidb64>/set-password/ (the token then in the session)
        last = "set-password" if match["last"] == "set-password" else "<token>"
        return f"{match['reset']}<uidb64>/{last}"

    return _SECRET_SEGMENTS.sub(mask, path)


def safe_path(path: str, query: str = "") -> str:
    """`path` (and `query`) as logged: the secret segments of known routes and the values of
    secret-looking query parameters replaced (a value that is itself a path, as ?next=, is masked
    the same way)."""
    safe = _masked_segments(path)
    if not query:
        return safe
    pairs = []
    for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if _SECRET_PARAMETERS.search(name):
            value = "***"
        elif value.startswith("/"):
            value = _masked_segments(value)
        pairs.append((name, value))
    return f"{safe}?{urllib.parse.urlencode(pairs, safe='/<>*')}"


def request_line(request) -> str:
    """What django-structlog logs as `request`: the method and the safe path (instead of
    get_full_path(), which carries e-mail verification, invitation, password-reset and hand-off
    tokens into the logs)."""
    return f"{request.method} {safe_path(request.path, request.META.get('QUERY_STRING', ''))}"


def _tenant_context(logger, method_name, event_dict):
    """django-tenants' TenantContextFilter sets `schema_name` and `domain_url` on the record (the
    handler's filter runs before the formatter); carried into the structured line."""
    record = event_dict.get("_record")
    if record is not None:
        for name in _TENANT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                event_dict.setdefault(name, value)
    return event_dict


def _mask_secrets(logger, method_name, event_dict):
    """Django's own lines name the path ("Not Found: /invitations/<token>/"): masked as `safe_path`
    masks the request's."""
    event = event_dict.get("event")
    if isinstance(event, str) and "/" in event:
        event_dict["event"] = _masked_segments(event)
    return event_dict


# Run on lines that did not come through structlog (stdlib loggers): the same fields as its own.
_PRE_CHAIN = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def formatter(kind: str) -> dict:
    """A logging `formatters` entry: "json" (one object per line) or "console" (readable)."""
    if kind == "json":
        final = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(ensure_ascii=False)]
    else:
        # plain tracebacks: rich's (with every frame's locals) took seconds to render on a loaded
        # machine while holding the handler's lock, stalling every thread that logged meanwhile
        plain = structlog.dev.plain_traceback
        final = [structlog.dev.ConsoleRenderer(colors=False, exception_formatter=plain)]
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": _PRE_CHAIN,
        "processors": [
            _tenant_context,
            _mask_secrets,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *final,
        ],
    }


def logging_config(*, log_format: str, level: str) -> dict:
    """Django's LOGGING: one console handler, in `log_format` ("json" or "console")."""
    kind = "json" if log_format.strip().lower() == "json" else "console"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"tenant_context": {"()": "django_tenants.log.TenantContextFilter"}},
        "formatters": {"structured": formatter(kind)},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["tenant_context"],
                "formatter": "structured",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def configure_structlog() -> None:
    """structlog's own loggers hand their event to the stdlib handler above (ProcessorFormatter)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def request_id_from(value: str | None) -> str:
    """The incoming X-Request-ID if it looks like one, else a new UUID."""
    if value and REQUEST_ID.fullmatch(value):
        return value
    return str(uuid.uuid4())


# Whether the response being logged is an outage's 503 (portal.outage.outage_response marks it).
_outage_answer: ContextVar[bool] = ContextVar("outage_answer", default=False)


def _outage_aware(get_response):
    """django-structlog's middleware, quiet about outages: PostgreSQL or Redis being down is answered
    503 (core/outages.py logs one line per burst at WARNING), so it is neither logged as a failed
    request with a traceback each time, nor its request_finished at ERROR (it is at INFO), nor
    allowed to break the log line itself (reading the user needs the session, which needs the
    database). Its `request` field is `request_line`'s, without secrets."""
    from django_structlog.middlewares import RequestMiddleware

    from core.outages import dependency_down

    class Middleware(RequestMiddleware):
        format_request = staticmethod(request_line)

        def handle_response(self, request, response):
            token = _outage_answer.set(bool(getattr(response, "outage", False)))
            try:
                super().handle_response(request, response)
            finally:
                _outage_answer.reset(token)

        def _log_level_for_status_code(self, status_code: int) -> int:
            if _outage_answer.get():
                return logging.INFO
            return super()._log_level_for_status_code(status_code)

        def _process_exception(self, request, exception):
            if dependency_down(exception):
                return
            super()._process_exception(request, exception)

        @staticmethod
        def bind_user_id(request):
            try:
                RequestMiddleware.bind_user_id(request)
            except Exception as exc:  # only outages are swallowed (re-raised below otherwise)
                if not dependency_down(exc):
                    raise

    return Middleware(get_response)


class RequestLogMiddleware:
    """django-structlog's request middleware, with what it lacks here: an incoming X-Request-ID is
    trusted only if it looks sane (`request_id_from`), the client address is the one every limit uses
    (core/client_ip.py, aware of trusted proxies; django-structlog's own asks django-ipware), and
    once the URL is resolved the enterprise's schema, the user and the view are bound. The response
    carries X-Request-ID. First in MIDDLEWARE, so even an early answer (unknown host, health) is
    logged with its id."""

    def __init__(self, get_response):
        self.inner = _outage_aware(get_response)

    def __call__(self, request):
        from core.client_ip import client_ip

        # django-structlog trusts the header (DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID) once it is
        # sane: an insane one is replaced here, before anything reads request.headers.
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.META["HTTP_X_REQUEST_ID"] = request_id
        structlog.contextvars.bind_contextvars(ip=client_ip(request))
        response = self.inner(request)
        response["X-Request-ID"] = request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.db import connection

        tenant = getattr(request, "tenant", None)
        match = request.resolver_match
        structlog.contextvars.bind_contextvars(
            schema=tenant.schema_name if tenant is not None else connection.schema_name,
            view=(match.view_name if match is not None else None) or "<unnamed view>",
        )
        # user_id, read as django-structlog does (without marking the session accessed).
        self.inner.bind_user_id(request)
        return None
