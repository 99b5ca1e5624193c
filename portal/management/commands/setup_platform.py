"""Brings a database to a runnable state. Idempotent, and its cost does not depend on the number of
enterprises when nothing changed, so `make run` calls it on every start; docker-compose runs it
once before web, worker and beat.

Enterprise schemas are not migrated here: the ones behind the code are listed, and
`manage.py migrate_enterprises` (started by `make run` beside the web) migrates them in the
background while they answer "being upgraded" (tenants/upgrades.py). `--wait-for-enterprises`
migrates them before returning instead (tests, benchmarks, a maintenance window).

It lives on the roof (portal) because it brings up every app: tenants' schemas and reference data, the
shipped assessment frameworks, the report rollups and the demo data of all three clouds."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from manufacturing.frameworks.services import frameworks_load_shipped
from portal import demo
from programmes import reference as programme_reference
from reports import rollup
from tenants import schema, services, upgrades
from tenants.demo import DEMO_PASSWORD
from tenants.models import Enterprise


class Command(BaseCommand):
    help = (
        "Migrate the public schema and the template schema, load reference data and demo data; "
        "report the enterprise schemas that are behind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-demo", action="store_true", help="Do not create the demo enterprises and users."
        )
        parser.add_argument("--logins-file", help="Write the demo logins as JSON to this file.")
        parser.add_argument(
            "--wait-for-enterprises",
            action="store_true",
            help="Migrate the enterprise schemas that are behind before returning (else: in the background).",
        )

    def handle(
        self, *args, no_demo=False, logins_file=None, wait_for_enterprises=False, verbosity=1, **options
    ):
        started = time.perf_counter()
        step = self._step
        if services.public_schema_current():
            step("public schema current", started)
        else:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
            step("public schema migrated", started)
        migrated = schema.template_prepare()
        version = schema.code_version()
        step(f"template schema {'migrated to' if migrated else 'at'} {version}", started)
        counts = services.reference_data_load()
        segments = programme_reference.segments_load()
        step(
            f"reference data: {counts['regions']} regions, {counts['industries']} industry divisions, "
            f"{segments} industry segments",
            started,
        )
        loaded = frameworks_load_shipped()
        step(
            f"assessment frameworks: {len(loaded)} ({sum(new for _f, new in loaded)} newly published)",
            started,
        )
        services.public_tenant_ensure()
        if rollup.backfill_needed():
            counts = rollup.rebuild()
            step(f"report rollups rebuilt from {counts['facts']} facts", started)
        changed = services.domains_sync()
        step(f"domains in step with PORTAL_DOMAIN ({changed} changed)", started)
        if wait_for_enterprises:
            upgrades.run(say=lambda message: step(message, started))
        elif not no_demo:
            # The demo data writes into the demo enterprises' schemas: those go first.
            upgrades.run(say=lambda message: None, among=Enterprise.objects.filter(is_demo=True))
        state = upgrades.progress()
        if state["behind"]:
            step(
                f"enterprise schemas: {state['behind']} of {state['enterprises']} behind {version}; "
                "`manage.py migrate_enterprises` migrates them (make run starts it)",
                started,
            )
        else:
            step(f"enterprise schemas: all {state['enterprises']} at {version}", started)
        if not no_demo:
            logins = demo.demo_data_ensure()
            step(f"demo data: {len(logins)} logins", started)
            if logins_file:
                import json

                with open(logins_file, "w", encoding="utf-8") as fh:
                    json.dump({"password": DEMO_PASSWORD, "logins": logins}, fh, ensure_ascii=False, indent=1)

    def _step(self, what: str, started: float) -> None:
        self.stdout.write(f"  [{time.perf_counter() - started:5.1f}s] {what}")
