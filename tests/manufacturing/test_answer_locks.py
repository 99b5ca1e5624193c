"""Saving an answer locks the enterprise's own assessment, never the framework row that every
enterprise's assessments share (public schema): under load, answer saves in different enterprises
used to wait for each other on that one row (found by bench/load.py)."""

import psycopg
import pytest
from django.db import OperationalError, connection
from django_tenants.utils import tenant_context

from manufacturing import services
from manufacturing.frameworks.models import Framework
from manufacturing.models import Answer
from tests.conftest import _test_database_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework_row_held():
    """Another session holds the default framework's row, as a transaction of another enterprise's
    answer save held it (SELECT … FOR UPDATE joined with the framework)."""
    framework = Framework.objects.get(is_default=True)
    other = psycopg.connect(_test_database_url())
    other.execute("SELECT 1 FROM frameworks_framework WHERE id = %s FOR UPDATE", (framework.pk,))
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '3s'")  # waiting longer than that is the failure
    try:
        yield framework
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        other.rollback()
        other.close()


def test_saving_an_answer_waits_for_no_other_enterprise(alpha, framework_row_held):
    with tenant_context(alpha.enterprise):
        assessment = services.assessment_create(framework=framework_row_held, user=alpha.owner)
        try:
            services.answer_put(
                enterprise=alpha.enterprise,
                assessment=assessment,
                key="network",
                value={"options": ["office-lan"]},
                user=alpha.owner,
            )
        except OperationalError as exc:  # lock_timeout: it waited for the framework's row
            pytest.fail(f"saving an answer waited for the shared framework row: {exc}")
        assert Answer.objects.get(assessment=assessment, key="network").value == {"options": ["office-lan"]}
