"""What the review announces when it publishes verified assessments, for whoever keeps figures from the
published facts: the regional reports listen (reports/apps.py); the review imports none of them.

Both signals are sent inside the publishing transaction, with the enterprise's row locked, so what a
listener writes commits or rolls back with the facts themselves, and a redelivered publish announces
the same change again (a listener recomputes, it does not count).

    facts_changing(tenant_id, framework_id)  the enterprise's facts of this framework version are
                                             about to change (a listener notes what they are now)
    facts_changed(tenant_id, framework_id)   they changed (not sent if the change raised)
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.dispatch import Signal

from manufacturing.review.models import AssessmentFact

facts_changing = Signal()
facts_changed = Signal()


@contextmanager
def facts_change(*, tenant_id: int, framework_id: int) -> Iterator[None]:
    """Wraps a change to an enterprise's facts of one framework version (inside the publisher's
    transaction, with the enterprise locked) and announces it before and after."""
    assert transaction.get_connection().in_atomic_block, "call inside the publishing transaction"
    facts_changing.send(sender=AssessmentFact, tenant_id=tenant_id, framework_id=framework_id)
    yield
    facts_changed.send(sender=AssessmentFact, tenant_id=tenant_id, framework_id=framework_id)
