"""An operator's command for an enterprise's lifecycle (tenants/lifecycle.py):

manage.py enterprise suspend|resume|close|reopen <schema or credit code> --reason "…" [--by EMAIL]
manage.py enterprise erase-due     (what the hourly beat does: erase those whose grace is over)
"""

from django.core.management.base import BaseCommand, CommandError

from core.api import ApplicationError
from tenants import lifecycle
from tenants.models import User

ACTIONS = {
    "suspend": lifecycle.enterprise_suspend,
    "resume": lifecycle.enterprise_resume,
    "close": lifecycle.enterprise_close,
    "reopen": lifecycle.enterprise_reopen,
}


class Command(BaseCommand):
    help = "Suspend, resume, close or reopen an enterprise (by schema name or credit code), with a reason."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=[*ACTIONS, "erase-due"])
        parser.add_argument("enterprise", nargs="?", default="", help="schema name or credit code")
        parser.add_argument("--reason", default="")
        parser.add_argument("--by", default="", help="the operator's email (recorded in the audit log)")

    def handle(self, *args, action, enterprise, reason, by, **options):
        if action == "erase-due":
            due = lifecycle.erase_due()
            for enterprise_id in due:
                lifecycle.enterprise_erase(enterprise_id=enterprise_id)
            self.stdout.write(f"erased {len(due)} enterprise(s)")
            return
        if not enterprise:
            raise CommandError("name the enterprise: its schema name or its credit code")
        actor = None
        if by:
            actor = User.objects.filter(email__iexact=by, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {by!r}")
        try:
            target = lifecycle.enterprise_by_key(enterprise)
            done = ACTIONS[action](enterprise=target, actor=actor, reason=reason)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        line = f"{done.schema_name} ({done.name}): {done.get_lifecycle_display()}"
        if done.erase_after and done.lifecycle == done.Lifecycle.CLOSING:
            line += f", erased after {done.erase_after:%Y-%m-%d %H:%M %Z}"
        self.stdout.write(line)
