"""`manage.py restore ARCHIVE [--enterprise] [--force]`: brings a fresh installation back to a backup, or
puts one enterprise back (docs/operations.md, "Backup and restore")."""

from django.core.management.base import BaseCommand, CommandError

from portal.backup import enterprise as one
from portal.backup import full
from portal.backup.archive import ArchiveError


class Command(BaseCommand):
    # No system checks: they cost a second or more of start-up (URLs, templates, every app) and
    # check nothing a backup or a restore into a fresh installation needs.
    requires_system_checks = []
    help = "Restore a backup archive (a path or s3://bucket/key); checksums are verified first."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive: a path or s3://bucket/key.")
        parser.add_argument(
            "--enterprise",
            action="store_true",
            help="The archive holds one enterprise: restore it alone, replacing it if it is here.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Whole restore: replace a database that is not empty (every schema in it is dropped).",
        )
        parser.add_argument("--jobs", type=int, default=1, help="pg_restore's parallel jobs (whole restore).")

    def handle(self, *args, archive, enterprise=False, force=False, jobs=1, **options):
        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        try:
            if enterprise:
                restore_one(archive, say)
            else:
                full.restore_full(source=archive, say=say, force=force, jobs=jobs)
        except ArchiveError as error:
            raise CommandError(str(error)) from None


def restore_one(archive: str, say) -> None:
    one.restore_enterprise(source=archive, say=say)
