from django_tenants.middleware.main import TenantMainMiddleware


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants' host resolution, case-insensitive (host names are; domain rows are lower case).

    A host outside ALLOWED_HOSTS gets django-tenants' empty 404; an allowed host that matches no
    enterprise gets the bilingual 404 page.
    """

    @staticmethod
    def hostname_from_request(request):
        return TenantMainMiddleware.hostname_from_request(request).lower()
