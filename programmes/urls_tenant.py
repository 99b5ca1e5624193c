"""The programmes on an enterprise's host: eligible programmes, applying, the project."""

from programmes import api_enterprise, views_enterprise

pages = [*views_enterprise.pages]
api_patterns = [*api_enterprise.api_patterns]

urlpatterns = [*pages, *api_patterns]
