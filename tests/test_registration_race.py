"""Two registrations racing for one credit code, on two real database connections (committed)."""

import threading

from django.db import connection

from tenants import registration
from tenants.forms import RegistrationForm
from tenants.models import Enterprise
from tests.test_registration import payload
from tests.uscc_examples import VALID


def test_two_registrations_racing_for_one_code_one_wins(committed):
    """Two threads, two database connections, the same code at the same moment: the unique
    constraint lets exactly one through; the other gets the 409 error, not a 500."""
    barrier = threading.Barrier(2)
    results = []

    def register(n):
        try:
            barrier.wait(timeout=10)
            form = RegistrationForm(data=payload(credit_code=VALID[2], owner_email=f"race{n}@example.com"))
            assert form.is_valid(), form.errors
            registration.enterprise_register(**form.cleaned_data, provision_async=False, send_emails=False)
            results.append("ok")
        except registration.ConflictError:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["conflict", "ok"]
    assert Enterprise.objects.filter(credit_code=VALID[2]).count() == 1
