"""Brings a database to a runnable state. Idempotent and fast when nothing changed, so `make run`
calls it on every start; docker-compose runs it once before web, worker and beat."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants import demo, services


class Command(BaseCommand):
    help = (
        "Migrate public and tenant schemas, keep the template schema migrated, "
        "load reference data and demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-demo", action="store_true", help="Do not create the demo enterprises and users."
        )
        parser.add_argument("--logins-file", help="Write the demo logins as JSON to this file.")

    def handle(self, *args, no_demo=False, logins_file=None, verbosity=1, **options):
        started = time.perf_counter()
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        step = self._step
        step("public schema migrated", started)
        services.template_schema_sync()
        from tenants.schema import clone_function_install

        clone_function_install()
        step("template schema migrated, clone function installed", started)
        # Every existing enterprise schema (the executor skips nothing, but an up-to-date schema is quick).
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        step("enterprise schemas migrated", started)
        counts = services.reference_data_load()
        step(
            f"reference data: {counts['regions']} regions, {counts['industries']} industry divisions", started
        )
        from manufacturing.frameworks.services import frameworks_load_shipped

        loaded = frameworks_load_shipped()
        step(
            f"assessment frameworks: {len(loaded)} ({sum(new for _f, new in loaded)} newly published)",
            started,
        )
        services.public_tenant_ensure()
        from portal.reports import rollup

        if rollup.backfill_needed():
            counts = rollup.rebuild()
            step(f"report rollups rebuilt from {counts['facts']} facts", started)
        changed = services.domains_sync()
        step(f"domains in step with PORTAL_DOMAIN ({changed} changed)", started)
        if not no_demo:
            logins = demo.demo_data_ensure()
            step(f"demo data: {len(logins)} logins", started)
            if logins_file:
                import json

                with open(logins_file, "w", encoding="utf-8") as fh:
                    json.dump(
                        {"password": demo.DEMO_PASSWORD, "logins": logins}, fh, ensure_ascii=False, indent=1
                    )

    def _step(self, what: str, started: float) -> None:
        self.stdout.write(f"  [{time.perf_counter() - started:5.1f}s] {what}")
