"""Migrates the enterprise schemas that are behind the code, in parallel, each in one transaction
(tenants/upgrades.py). Safe to run on several machines at once and to kill at any moment; exits
when none is left. `make run` starts it beside the web; docker-compose runs it as a one-shot
service that the web does not wait for."""

import multiprocessing
import os
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from tenants import schema, upgrades


def _work() -> None:
    # A forked child: its own database connection, and quiet progress (the parent reports).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    connections.close_all()
    summary = upgrades.run(log_every=float("inf"), say=lambda _message: None)
    os._exit(1 if summary["failed"] else 0)


class Command(BaseCommand):
    help = "Migrate every enterprise schema that is behind the code (in the background, resumable)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes",
            type=int,
            default=int(os.environ.get("MIGRATE_PROCESSES", "2")),
            help="Migrations at once, each with one database connection (default 2, or MIGRATE_PROCESSES).",
        )

    def handle(self, *args, processes: int, **options):
        if processes < 1:
            raise CommandError("--processes must be at least 1")
        version = schema.code_version()
        if version is None or version.template_ready_at is None:
            raise CommandError(
                "the template is not at this code's state: run `manage.py setup_platform` first"
            )
        state = upgrades.progress()
        if not state["behind"]:
            self.stdout.write(f"enterprise schemas: all {state['enterprises']} at v{state['version']}")
            return
        self.stdout.write(
            f"enterprise schemas: {state['behind']} of {state['enterprises']} behind v{state['version']}; "
            f"migrating with {processes} processes"
        )
        started = time.monotonic()
        connections.close_all()
        context = multiprocessing.get_context("fork")
        workers = [context.Process(target=_work, daemon=True) for _ in range(processes)]
        for worker in workers:
            worker.start()
        try:
            while any(worker.is_alive() for worker in workers):
                for worker in workers:
                    worker.join(5 / processes)
                self._report(started, state["behind"])
        except KeyboardInterrupt:
            for worker in workers:
                worker.terminate()
            raise
        finally:
            connections.close_all()
        state = upgrades.progress()
        failed = [worker for worker in workers if worker.exitcode]
        self.stdout.write(
            f"enterprise schemas: done in {time.monotonic() - started:.1f}s; "
            f"{state['current']}/{state['enterprises']} at v{state['version']}, {state['behind']} behind"
        )
        if failed or state["behind"]:
            raise CommandError(
                f"{state['behind']} enterprise schemas could not be migrated (see the errors above); "
                "they answer 503 until they are"
            )

    def _report(self, started: float, at_start: int) -> None:
        state = upgrades.progress()
        done = at_start - state["behind"]
        self.stdout.write(upgrades.progress_line(done, time.monotonic() - started, state))
        connections.close_all()
