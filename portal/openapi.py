"""How the OpenAPI document is drawn from the views (DEFAULT_SCHEMA_CLASS)."""

from drf_spectacular.openapi import AutoSchema


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, which marks authentication optional (`{}` among the security
    requirements) only for DRF's own AllowAny and IsAuthenticatedOrReadOnly. A permission class of
    ours that lets anonymous callers through says so with `allows_anonymous = True`."""

    def get_auth(self):
        auths = super().get_auth()
        anonymous = any(getattr(p, "allows_anonymous", False) for p in self.view.get_permissions())
        if anonymous and {} not in auths:
            auths.append({})
        return auths
