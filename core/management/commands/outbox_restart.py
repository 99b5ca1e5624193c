"""Sends given-up background work again once its cause is fixed (core/outbox.py): the sweeper gives
a row up after OUTBOX_MAX_RESENDS re-sends, logs it and tells the platform's superusers; this puts
it back in its outbox with its re-sends counted from 0, and the next sweep (within a minute) sends
it. `manage.py outbox_restart` alone lists every outbox with its given-up rows."""

from django.core.management.base import BaseCommand, CommandError

from core import outbox


class Command(BaseCommand):
    help = "Send given-up background work again: outbox_restart NAME [PK ...] (no NAME: list the outboxes)."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="the outbox (scoring, review-publishing, ...)")
        parser.add_argument("pks", nargs="*", help="only these rows (primary keys); default: all given up")

    def handle(self, *args, name=None, pks=(), **options):
        registered = outbox.registered()
        if name is None:
            for known, box in sorted(registered.items()):
                given_up = box.rows.filter(**{f"{box.gave_up}__isnull": False}).count()
                self.stdout.write(f"{known:<20} {given_up} given up")
            return
        if name not in registered:
            raise CommandError(f"No outbox {name!r}; there are: {', '.join(sorted(registered))}.")
        try:
            keys = [int(pk) for pk in pks] if pks else None
        except ValueError as exc:
            raise CommandError("Primary keys are whole numbers.") from exc
        restarted = outbox.restart(name, pks=keys)
        self.stdout.write(f"{restarted} row(s) of {name} restarted; the next sweep sends them.")
