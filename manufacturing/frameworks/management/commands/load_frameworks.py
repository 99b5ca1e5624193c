"""Validates and publishes the assessment frameworks shipped with the project (or the files named)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from manufacturing.frameworks import loader
from manufacturing.frameworks.services import frameworks_load_shipped


class Command(BaseCommand):
    help = "Load assessment framework definitions (YAML) into the public schema."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Definition files; default: every shipped one.")

    def handle(self, *args, files, **options):
        try:
            results = frameworks_load_shipped(paths=[Path(f) for f in files] or None)
        except loader.FrameworkError as exc:
            raise CommandError(str(exc)) from exc
        for framework, created in results:
            state = "published" if created else "unchanged"
            self.stdout.write(f"{framework.code} {framework.version}: {state}")
