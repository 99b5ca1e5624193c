"""How the OpenAPI document is drawn from the views (DEFAULT_SCHEMA_CLASS)."""

from drf_spectacular.openapi import AutoSchema


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, which marks authentication optional (`{}` among the security
    requirements) only for DRF's own AllowAny and IsAuthenticatedOrReadOnly. A permission class of
    ours that lets anonymous callers through says so with `allows_anonymous = True`.

    An operation that authenticates nobody (`authentication_classes = []`: registration, tokens)
    gets no security requirement at all rather than `[{}]`, which generated clients misread as
    "needs credentials"."""

    def get_auth(self):
        auths = super().get_auth()
        anonymous = any(getattr(p, "allows_anonymous", False) for p in self.view.get_permissions())
        if anonymous and {} not in auths:
            auths.append({})
        return [] if auths == [{}] else auths

    def get_operation_id(self):
        """A GET answering a page of rows (core.api.page_of) is a list, as DRF's generic list views
        are: `..._list`, not `..._retrieve` (which collided with the detail operation's id)."""
        operation_id = super().get_operation_id()
        paged = getattr(self.get_response_serializers(), "lists_rows", False)
        if self.method == "GET" and paged and operation_id.endswith("_retrieve"):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id


def json_bodies_only(result, generator, request, public):
    """POSTPROCESSING_HOOKS: an operation that takes JSON is documented with JSON only. The API's
    parsers also read form-encoded and multipart bodies (DRF's defaults, kept for curl users), but
    the same schema under three media types makes generated clients ambiguous (openapi-python-client
    emits an isinstance chain that always sends the last one). File uploads stay multipart."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content") if isinstance(operation, dict) else None
            if content and "application/json" in content:
                for media_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                    content.pop(media_type, None)
    return result
