"""API plumbing shared by every app: the one exception handler that maps domain errors to status codes."""

import math

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import outages
from core.i18n import in_both_languages


class ApplicationError(Exception):
    """A domain rule was broken. Services raise it; the API answers `status_code` with the message.

    Give the message with gettext_lazy and its values as `params` (not already %-formatted): the
    API then answers `detail` in the request's language and `messages` in both, so a client that
    shows the other language, or logs for both audiences, needs no second request."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(
        self,
        message,
        *,
        params: dict | None = None,
        extra: dict | None = None,
        status_code: int | None = None,
    ):
        super().__init__(message)
        self._message = message
        self.params = params
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code

    @property
    def message(self) -> str:
        """In the active language."""
        return str(self._message) % self.params if self.params else str(self._message)

    def body(self) -> dict:
        body = {"detail": self.message, **self.extra}
        if isinstance(self._message, Promise):
            body.setdefault("messages", in_both_languages(self._message, self.params))
        return body


class ConflictError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT


TOO_MANY_REQUESTS = gettext_lazy(
    "Too many requests from your address. Please try again in %(seconds)s seconds."
)


class RateLimited(ApplicationError):
    """429: a limit is reached; `retry_after` seconds until it admits the next request (sent as
    Retry-After). Without a message: the per-address one, which names the wait."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, message=None, *, params: dict | None = None, retry_after: int):
        retry_after = max(1, math.ceil(retry_after))
        if message is None:
            message, params = TOO_MANY_REQUESTS, {"seconds": retry_after}
        super().__init__(message, params=params)
        self.retry_after = retry_after


def exception_handler(exc, context):
    dependency = outages.dependency_down(exc)
    if dependency is not None:  # PostgreSQL or Redis is down: 503, try again shortly
        request = context.get("request")
        outages.bursts.record(dependency, exc, getattr(request, "path", ""))
        response = Response(outages.body(), status=503, headers={"Retry-After": outages.retry_after()})
        response._has_been_logged = True  # once per burst, above; not one "Service Unavailable" each
        return response
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404 | exceptions.NotFound):
        not_found = gettext_lazy("Not found.")
        body = {"detail": str(not_found), "messages": in_both_languages(not_found)}
        return Response(body, status=status.HTTP_404_NOT_FOUND)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, exceptions.Throttled):
        exc = RateLimited(retry_after=exc.wait or 1)
    if isinstance(exc, ApplicationError):
        response = Response(exc.body(), status=exc.status_code)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response
    # Anything else unhandled here (tenants.upgrades.SchemaBeingUpgraded, say) goes on to the
    # middleware's process_exception, which answers pages and the API alike.
    response = drf_exception_handler(exc, context)
    # DRF's own messages (not signed in, method not allowed...) in both languages too, where the
    # detail is the exception's lazily translated default.
    default = getattr(exc, "default_detail", None)
    if (
        response is not None
        and isinstance(response.data, dict)
        and "messages" not in response.data
        and isinstance(getattr(exc, "detail", None), str)
        and isinstance(default, Promise)
        and str(exc.detail) == str(default)
    ):
        response.data["messages"] = in_both_languages(default)
    return response


def form_data(body, form_class) -> tuple[QueryDict, dict]:
    """A JSON body as the data a Django form reads, so that the API and the pages share one validation.
    Lists go only to multiple-choice fields; an object, or a list where one value is expected, is an
    error of its own (returned beside the data) rather than something a form would misread."""
    from django import forms

    data, errors = QueryDict(mutable=True), {}
    if not isinstance(body, dict):
        return data, {"non_field_errors": [gettext_lazy("Send a JSON object.")]}
    fields = form_class.base_fields
    for key, value in body.items():
        field = fields.get(key)
        multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        if value is None:
            continue
        if isinstance(value, list) and multiple:
            if all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
                data.setlist(key, [str(v) for v in value])
            else:
                errors[key] = [gettext_lazy("Give a list of values.")]
        elif isinstance(value, list | dict):
            errors[key] = [gettext_lazy("Give a single value.")]
        elif isinstance(value, bool):
            data[key] = "true" if value else "false"
        else:
            data[key] = str(value)
    return data, errors


def small_id(value) -> int | None:
    """A row id from a form or JSON value (an int, or a string of ASCII digits), or None for
    anything else, so that junk ids are a clear "not found" or "give the id" rather than a 500."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10**12 else None
    if isinstance(value, str) and value.isascii() and value.isdecimal() and len(value) < 12:
        return int(value)
    return None


class Pages(LimitOffsetPagination):
    """The APIs' lists: ?limit= (50 by default, 500 at most) and ?offset=."""

    default_limit = 50
    max_limit = 500


_PAGE_SCHEMAS: dict = {}


def page_of(serializer_class, pages: type[LimitOffsetPagination] = Pages) -> dict:
    """extend_schema arguments for a list answered by `paginated`: the envelope (count, next,
    previous, results) as the 200 response, and ?limit= / ?offset= as query parameters. Spread it:
    `@extend_schema(**page_of(RowOutput), tags=...)`; pass more `parameters` through `page_of`'s
    result (`[*page_of(X)["parameters"], ...]`) when the list has filters of its own."""
    from drf_spectacular.utils import OpenApiParameter
    from rest_framework import serializers

    if serializer_class not in _PAGE_SCHEMAS:
        name = serializer_class.__name__.removesuffix("Serializer").removesuffix("Output")
        _PAGE_SCHEMAS[serializer_class] = type(
            f"{name}Page",
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": serializer_class(many=True),
                "lists_rows": True,  # a list operation (core/openapi.py)
            },
        )
    return {
        "responses": _PAGE_SCHEMAS[serializer_class],
        "parameters": [
            OpenApiParameter(
                "limit",
                int,
                description=f"page size (default {pages.default_limit}, at most {pages.max_limit})",
            ),
            OpenApiParameter("offset", int, description="rows to skip"),
        ],
    }


def paginated(request, view, rows, serializer, pages: LimitOffsetPagination | None = None):
    """One page of `rows` through `serializer`, with count, next and previous."""
    pages = pages or Pages()
    page = pages.paginate_queryset(rows, request, view=view)
    return pages.get_paginated_response(serializer(page, many=True).data)


def json_body(request) -> dict:
    """The request's JSON object, or {} when the body is anything else (a list, a string...): the
    fields then read as missing and the form or service answers with its message."""
    return request.data if isinstance(request.data, dict) else {}
