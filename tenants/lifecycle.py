"""An enterprise's lifecycle: suspended by an operator, closed by an operator or its owner, reopened
within the grace period, erased after it (services: writes).

    active ──suspend──▶ suspended ──resume──▶ active
    active | suspended ──close──▶ closing ──reopen──▶ active (or suspended, if it was)
    closing ──(ENTERPRISE_CLOSE_GRACE_DAYS later, the beat's erase)──▶ erasing ──▶ closed (a tombstone)

The erase first commits "erasing" (from then on nothing reopens the enterprise, its workspace is
blocked for everyone and no export of it is built or finished), then deletes the files, then drops
the schema and writes the tombstone in one transaction; a run that dies midway is resumed by the
next one (`erase_due` lists erasing enterprises too).

`Enterprise.lifecycle` is apart from `Enterprise.status` (provisioning): a workspace being prepared
is not suspended, and a suspended one stays ready. Every change is one transaction with its audit
row (core.audit); the row's save tells every web process's host map (tenants/routing.py).

While suspended, every page of the workspace answers the bilingual "suspended" page and its API a
bilingual JSON error, both 403 (`suspended_response`, asked by portal.middleware); sign-out still
works. Nothing is deleted; the hall hides the enterprise's listings (exhibition.hall.policy).

Erasing (`enterprise_erase`) keeps only the facts the enterprise published, which the regional
reports sum: the models that registered themselves with `keep_on_erase` (with the fields that name
the enterprise rewritten to its pseudonym), the audit log and the consents. Every other public row
that points at the enterprise is deleted, with its files; so are the schema and the files under
`tenants/<schema>/`. The enterprise's own row stays as a tombstone: its name becomes
"已注销企业 #<id>" / "Closed enterprise #<id>", its credit code a keyed one-way hash (so the same
company may register again, as a new enterprise, and an operator who is asked can still tell whether
a code was closed), its slug "closed-<id>"; city, industry, size and dates stay, since the reports
count them.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models.deletion import Collector
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context

from core.api import ApplicationError, ConflictError, in_both_languages
from core.audit import audit
from tenants.models import Enterprise, User

logger = logging.getLogger(__name__)

Lifecycle = Enterprise.Lifecycle


class Action:
    """Audit actions of the lifecycle (core.AuditEvent.action; presented by tenants/audit_lines.py)."""

    SUSPENDED = "ent_suspended"
    RESUMED = "ent_resumed"
    CLOSING = "ent_closing"
    REOPENED = "ent_reopened"
    ERASED = "ent_erased"


SUSPENDED_MESSAGE = _(
    "This enterprise's workspace is suspended by the platform operator. Nothing has been deleted. "
    "Please contact the platform's hotline."
)
# The one status for a suspended workspace, on pages and the API alike: the request is understood
# and the client is known, but the workspace may not be used now.
SUSPENDED_STATUS = 403
REASON_MAX = 1000


def pseudonym(enterprise_id: int) -> tuple[str, str]:
    """The tombstone's names: (Chinese, English)."""
    return f"已注销企业 #{enterprise_id}", f"Closed enterprise #{enterprise_id}"


def credit_code_hash(credit_code: str) -> str:
    """A keyed one-way hash of a credit code, 18 lower-case hex digits: never a valid code (those
    are upper case), so it cannot collide with a registration."""
    return salted_hmac("portal.closed-credit-code", credit_code.upper()).hexdigest()[:18]


def _reason_clean(reason) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ApplicationError(_("Give a reason."))
    if len(reason) > REASON_MAX:
        raise ApplicationError(
            _("The reason is too long (at most %(n)s characters)."), params={"n": REASON_MAX}
        )
    return reason


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def _change(
    *,
    enterprise: Enterprise,
    allowed: tuple,
    to: str | Callable[[Enterprise], str],
    actor,
    reason: str,
    action: str,
    **fields,
) -> Enterprise:
    """Moves the enterprise (locked) from one of `allowed` to `to`, with its audit row. `to` and a
    field's value may be functions of the locked row (what it was closed from is read under the
    lock, never before it: a change committed in between would be undone)."""
    # django-tenants saves an enterprise only from the public schema (or its own): the owner's page
    # runs on the enterprise's host.
    with schema_context(get_public_schema_name()), transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if locked.schema_name == get_public_schema_name():
            raise ApplicationError(_("The platform itself cannot be suspended or closed."))
        if locked.lifecycle not in allowed:
            raise ConflictError(
                _("This enterprise is %(state)s; this cannot be done now."),
                params={"state": locked.get_lifecycle_display()},
            )
        old = locked.lifecycle
        fields = {name: value(locked) if callable(value) else value for name, value in fields.items()}
        to = to(locked) if callable(to) else to
        locked.lifecycle = to
        locked.lifecycle_reason = reason
        locked.lifecycle_changed_at = timezone.now()
        locked.lifecycle_changed_by = _actor(actor)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(
            update_fields=[
                "lifecycle",
                "lifecycle_reason",
                "lifecycle_changed_at",
                "lifecycle_changed_by",
                *fields,
            ]
        )
        new = {"state": to}
        if locked.erase_after is not None and to == Lifecycle.CLOSING:
            new["erase_after"] = locked.erase_after.date().isoformat()
        audit(
            actor=_actor(actor),
            action=action,
            tenant=locked,
            subject="lifecycle",
            old={"state": old},
            new=new,
            reason=reason,
        )
    logger.info("enterprise %s: %s -> %s (%s)", locked.pk, old, to, action)
    return locked


def enterprise_suspend(*, enterprise: Enterprise, actor, reason: str) -> Enterprise:
    """An operator suspends a workspace: its members see the "suspended" page, nothing is deleted."""
    return _change(
        enterprise=enterprise,
        allowed=(Lifecycle.ACTIVE,),
        to=Lifecycle.SUSPENDED,
        actor=actor,
        reason=_reason_clean(reason),
        action=Action.SUSPENDED,
    )


def enterprise_resume(*, enterprise: Enterprise, actor, reason: str) -> Enterprise:
    return _change(
        enterprise=enterprise,
        allowed=(Lifecycle.SUSPENDED,),
        to=Lifecycle.ACTIVE,
        actor=actor,
        reason=_reason_clean(reason),
        action=Action.RESUMED,
    )


def enterprise_close(*, enterprise: Enterprise, actor, reason: str, now=None) -> Enterprise:
    """Starts the grace period: the workspace is erased ENTERPRISE_CLOSE_GRACE_DAYS from now unless
    it is reopened first. A suspended enterprise stays suspended while closing (it reopens into
    suspended)."""
    now = now or timezone.now()
    erase_after = now + datetime.timedelta(days=settings.ENTERPRISE_CLOSE_GRACE_DAYS)
    return _change(
        enterprise=enterprise,
        allowed=(Lifecycle.ACTIVE, Lifecycle.SUSPENDED),
        to=Lifecycle.CLOSING,
        actor=actor,
        reason=_reason_clean(reason),
        action=Action.CLOSING,
        erase_after=erase_after,
        closed_from=lambda locked: locked.lifecycle,
    )


def enterprise_reopen(*, enterprise: Enterprise, actor, reason: str) -> Enterprise:
    """Undoes a close within the grace period: back to the state it was closed from. An enterprise
    whose erasing has begun (`Lifecycle.ERASING`) cannot be reopened."""
    return _change(
        enterprise=enterprise,
        allowed=(Lifecycle.CLOSING,),
        to=lambda locked: locked.closed_from or Lifecycle.ACTIVE,
        actor=actor,
        reason=_reason_clean(reason),
        action=Action.REOPENED,
        erase_after=None,
        closed_from="",
    )


def enterprise_by_key(key: str) -> Enterprise:
    """An enterprise by its schema name or its credit code (the operator's command)."""
    key = (key or "").strip()
    found = Enterprise.objects.exclude(schema_name=get_public_schema_name()).filter(
        models.Q(schema_name=key) | models.Q(credit_code=key.upper())
    )
    enterprise = found.first()
    if enterprise is None:
        raise ApplicationError(
            _("No enterprise has the schema or credit code %(key)s."), params={"key": key}, status_code=404
        )
    return enterprise


# --- the edge: what a suspended workspace answers --------------------------------------------------

# Still served while suspended: signing out (and the language switch of the page that says so).
OPEN_WHILE_SUSPENDED = ("/logout/", "/i18n/", "/api/v1/auth/logout/")


def is_suspended(enterprise) -> bool:
    """Suspended, or closed while suspended (its grace period does not lift the suspension)."""
    return enterprise.lifecycle == Lifecycle.SUSPENDED or (
        enterprise.lifecycle == Lifecycle.CLOSING and enterprise.closed_from == Lifecycle.SUSPENDED
    )


def blocked(request, enterprise) -> bool:
    if enterprise.lifecycle == Lifecycle.ERASING:
        return True
    return is_suspended(enterprise) and not request.path_info.startswith(OPEN_WHILE_SUSPENDED)


def suspended_response(request, enterprise):
    """403, bilingual: JSON under /api/, the "suspended" page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {
                "detail": str(SUSPENDED_MESSAGE),
                "messages": in_both_languages(SUSPENDED_MESSAGE),
                "code": "enterprise_suspended",
            },
            status=SUSPENDED_STATUS,
        )
    # The operator's reason is for the enterprise's members, not for anyone who opens its address.
    from tenants.roles import role_of

    member = request.user.is_authenticated and role_of(user=request.user, enterprise=enterprise) is not None
    context = {"enterprise": enterprise, "is_member": member}
    return render(request, "tenants/suspended.html", context, status=SUSPENDED_STATUS)


# --- erasing ------------------------------------------------------------------------------------------

# Model label -> {field: function(enterprise id) -> new value}: the public rows kept on erasing.
_kept: dict[str, dict[str, Callable[[int], object]]] = {
    "core.AuditEvent": {},  # who did what stays (its people pseudonymous, tenants/accounts.py)
    "tenants.LegalConsent": {},  # evidence of a person's consent, about them, not the enterprise
}


def keep_on_erase(label: str, *, rewrite: dict[str, Callable[[int], object]] | None = None) -> None:
    """Called at start-up by the owner of a table of published facts: its rows of an erased
    enterprise stay (the reports sum them), with `rewrite`'s fields replaced (the names)."""
    _kept[label] = dict(rewrite or {})


def kept_labels() -> set[str]:
    return set(_kept)


# Name -> function(enterprise id), run in the erase's last transaction before its rows are collected:
# an app settles what its rows hold beyond the enterprise (a programme's budget reserved for it).
_before_erase: dict[str, Callable[[int], None]] = {}


def on_erase(name: str, settle: Callable[[int], None]) -> None:
    """Called at start-up by an app above tenants; registering the same name again replaces it."""
    _before_erase[name] = settle


def erase_due(*, now=None) -> list[int]:
    """The enterprises whose grace period is over (the beat's question: the lifecycle index)."""
    now = now or timezone.now()
    return list(
        Enterprise.objects.filter(
            models.Q(lifecycle=Lifecycle.CLOSING, erase_after__lte=now)
            | models.Q(lifecycle=Lifecycle.ERASING)
        )
        .order_by("erase_after")
        .values_list("pk", flat=True)
    )


def _relations():
    """(model, field name) of every public one-to-many link to Enterprise not kept."""
    # Hidden relations included: most links are declared with related_name="+".
    for rel in Enterprise._meta.get_fields(include_hidden=True):
        if not rel.auto_created or rel.concrete or rel.many_to_many:
            continue
        if rel.related_model._meta.label in _kept:
            continue
        yield rel.related_model, rel.field.name


def _collect(enterprise_id: int) -> Collector:
    collector = Collector(using="default", origin=None)
    for model, field in _relations():
        collector.collect(model._base_manager.filter(**{field: enterprise_id}))
    return collector


def _files_of(collector: Collector) -> list[str]:
    names: list[str] = []
    for model, instances in collector.data.items():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names += [getattr(obj, field.attname).name for obj in instances]
    for queryset in collector.fast_deletes:
        for field in queryset.model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names += list(queryset.values_list(field.attname, flat=True))
    return [name for name in names if name]


def _delete_tree(path: str) -> int:
    """Deletes every file under `path` in the default storage (any backend); returns how many."""
    try:
        folders, files = default_storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    count = 0
    for name in files:
        default_storage.delete(f"{path}/{name}")
        count += 1
    for folder in folders:
        count += _delete_tree(f"{path}/{folder}")
    if hasattr(default_storage, "path"):  # a file system: the empty folders go too
        import shutil

        shutil.rmtree(default_storage.path(path), ignore_errors=True)
    return count


def enterprise_erase(*, enterprise_id: int, now=None) -> bool:
    """Erases a closed enterprise whose grace period is over. Idempotent: an erased (or reopened,
    or not yet due) enterprise is left as it is and False returned. Safe if the worker dies midway:
    the move to "erasing" is committed first (no reopen after it, so no workspace is ever left open
    without its files), then the files go (deleting them again finds nothing), then the schema, the
    private public rows and the tombstone in one transaction; the next run resumes an erasing
    enterprise from the files."""
    now = now or timezone.now()
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().filter(pk=enterprise_id).first()
        if _due(enterprise, now):
            enterprise.lifecycle = Lifecycle.ERASING
            enterprise.save(update_fields=["lifecycle"])
        elif enterprise is None or enterprise.lifecycle != Lifecycle.ERASING:
            return False
    files = _delete_tree(f"tenants/{enterprise.schema_name}")
    from tenants.data_export import exports_erase

    exports_erase(enterprise=enterprise)  # its data exports (DATA_EXPORT_ROOT, outside the media)
    collector = _collect(enterprise_id)
    for name in _files_of(collector):
        default_storage.delete(name)
        files += 1
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().filter(pk=enterprise_id).first()
        if enterprise is None or enterprise.lifecycle != Lifecycle.ERASING:
            return False
        schema = enterprise.schema_name
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {connection.ops.quote_name(schema)} CASCADE")
        domains = list(enterprise.domains.values_list("domain", flat=True))
        _notices_delete(domains)
        for settle in _before_erase.values():
            settle(enterprise_id)
        collector = _collect(enterprise_id)
        deleted = sum(len(instances) for instances in collector.data.values())
        collector.delete()
        members = list(enterprise.user_set.values_list("pk", flat=True))
        enterprise.user_set.clear()
        for label, rewrite in _kept.items():
            if rewrite:
                model = _model(label)
                model._base_manager.filter(tenant_id=enterprise_id).update(
                    **{field: value(enterprise_id) for field, value in rewrite.items()}
                )
        _tombstone(enterprise, now)
        audit(
            actor=None,
            action=Action.ERASED,
            tenant=enterprise,
            subject="lifecycle",
            old={"state": Lifecycle.CLOSING},
            new={"state": Lifecycle.CLOSED},
        )
        _tokens_of_leavers_revoke(members)
    # An export that was being written when the erase began deletes its own file (data_export);
    # this second pass removes anything left between the first one and the commit.
    exports_erase(enterprise=enterprise)
    logger.info(
        "enterprise %s erased: schema %s dropped, %s public rows and %s files deleted",
        enterprise_id,
        schema,
        deleted,
        files,
    )
    return True


def _due(enterprise, now) -> bool:
    return (
        enterprise is not None
        and enterprise.lifecycle == Lifecycle.CLOSING
        and enterprise.erase_after is not None
        and enterprise.erase_after <= now
    )


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def _notices_delete(domains: list[str]) -> None:
    from core.models import Notice

    query = models.Q()
    for domain in domains:
        query |= models.Q(url__contains=f"//{domain}/") | models.Q(url__endswith=f"//{domain}")
    if domains:
        Notice.objects.filter(query).delete()


def _tombstone(enterprise: Enterprise, now) -> None:
    public_owner = (
        Enterprise.objects.filter(schema_name=get_public_schema_name())
        .values_list("owner_id", flat=True)
        .first()
    )
    name, name_en = pseudonym(enterprise.pk)
    enterprise.name, enterprise.name_en = name, name_en
    if enterprise.credit_code:  # erased once: `_due` refuses a closed enterprise
        enterprise.credit_code = credit_code_hash(enterprise.credit_code)
    enterprise.slug = f"closed-{enterprise.pk}"
    enterprise.contact_phone = ""
    enterprise.status_reason = ""
    enterprise.lifecycle = Lifecycle.CLOSED
    enterprise.lifecycle_reason = ""
    enterprise.lifecycle_changed_at = now
    enterprise.lifecycle_changed_by = None
    enterprise.erased_at = now
    if public_owner is not None:
        enterprise.owner_id = public_owner
    enterprise.save()


def _tokens_of_leavers_revoke(user_ids: list[int]) -> None:
    """Members left without any enterprise lose their API tokens, as when removed (members)."""
    from tenants.tokens import user_tokens_revoke

    for user in User.objects.filter(pk__in=user_ids):
        if not user.tenants.exclude(schema_name=get_public_schema_name()).exists():
            user_tokens_revoke(user=user)
