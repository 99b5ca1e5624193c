"""A bare Django site, the benchmarks' baseline: one view answering a small JSON document, no
middleware, no database. Served by the same gunicorn settings as the platform, it shows what
Django and gunicorn themselves cost a request on this machine (bench/scale.py).

    DJANGO_SETTINGS_MODULE=bench.bare_django gunicorn bench.bare_django:application
"""

import os

from django.http import JsonResponse
from django.urls import path

SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
USE_TZ = True


def hello(request):
    return JsonResponse({"ok": True, "items": [{"id": 1, "status": "draft"}]})


urlpatterns = [path("", hello)]

os.environ.setdefault("DJANGO_SETTINGS_MODULE", __name__)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
