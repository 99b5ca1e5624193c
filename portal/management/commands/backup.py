"""`manage.py backup [DESTINATION] [--enterprise SCHEMA_OR_CREDIT_CODE]`: one archive of the whole
platform (database, files, manifest), or of one enterprise (docs/operations.md, "Backup and restore")."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backup import enterprise as one
from portal.backup import full
from portal.backup.archive import ArchiveError


class Command(BaseCommand):
    # No system checks: they cost a second or more of start-up (URLs, templates, every app) and
    # check nothing a backup or a restore into a fresh installation needs.
    requires_system_checks = []
    help = "Write a backup archive (database dump, files, manifest) to a directory or s3://bucket/prefix."

    def add_arguments(self, parser):
        parser.add_argument(
            "destination", nargs="?", help="A directory or s3://bucket/prefix (default: BACKUP_DIR)."
        )
        parser.add_argument(
            "--enterprise", help="Back up this one enterprise (its schema name or credit code) only."
        )

    def handle(self, *args, destination=None, enterprise=None, **options):
        destination = destination or settings.BACKUP_DIR

        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        try:
            if enterprise:
                where = enterprise_backup(enterprise, destination, say)
            else:
                where = full.backup_full(destination=destination, say=say)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(where)


def enterprise_backup(key: str, destination: str, say) -> str:
    return one.backup_enterprise(key=key, destination=destination, say=say)
