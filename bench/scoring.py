"""Assessment scoring through a real Celery worker and the real broker (Redis).

Starts one worker process (pool "solo") against the bench database and measures, in one run:

  throughput   N submitted assessments sent at once; scored per second = N / (first send -> last result)
  latency      one submission at a time on an idle worker: submit (commit) -> result stored, p50/p95
  no-op        a near no-op task's round trip (send -> result; it runs one SELECT), p50/p95

Answers are random but complete, on the default framework (MIIT 2024: 15 questions, 16 scenes),
with the evidence files the framework asks for, so every submission is one a user could make.
"""

import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import bench_enterprise, bench_line, percentile, setup_django

N_THROUGHPUT = int(os.environ.get("BENCH_SCORING_N", "200"))
N_LATENCY = 50
ROOT = Path(__file__).resolve().parent.parent


def random_answers(definition: dict, rng: random.Random) -> dict:
    from manufacturing import scoring

    ix = scoring.index(definition)
    answers = {}
    for key, q in ix.questions.items():
        options = [o["key"] for o in q.get("options", [])]
        if q["type"] == "single":
            answers[key] = {"option": rng.choice(options)}
        elif q["type"] == "multi":
            plain = [o["key"] for o in q["options"] if not o.get("exclusive")]
            answers[key] = {"options": rng.sample(plain, rng.randint(1, len(plain)))}
        else:
            inputs = {spec["key"]: rng.randint(spec.get("min", 0) + 1, 500) for spec in q["inputs"]}
            for check in q.get("checks", []):
                inputs[check["left"]] = min(inputs[check["left"]], inputs[check["right"]])
            answers[key] = {"inputs": inputs}
    answers.update({key: {"level": rng.randint(0, 4)} for key in ix.scenes})
    return answers


def main() -> None:
    setup_django()
    from django.conf import settings
    from django_tenants.utils import tenant_context

    from manufacturing import services
    from manufacturing.frameworks.models import Framework, ScoringRequest
    from manufacturing.models import Answer, Assessment
    from tests.manufacturing.definitions import attach_required_evidence
    from worker import status
    from worker.tasks import whereami

    enterprise = bench_enterprise(slug="bench-scoring", credit_body="91130100MA0BENCH5", city="130100")
    owner = enterprise.owner
    framework = Framework.objects.get(is_default=True)
    rng = random.Random(20261128)

    def prepare(count: int) -> list[int]:
        """Complete, pledged, draft assessments with random answers (bulk-inserted answers)."""
        ids = []
        with tenant_context(enterprise):
            for _ in range(count):
                assessment = services.assessment_create(framework=framework, user=owner)
                Answer.objects.bulk_create(
                    Answer(assessment=assessment, key=k, value=v, updated_by=owner)
                    for k, v in random_answers(framework.definition, rng).items()
                )
                attach_required_evidence(assessment, owner)  # the same small PDF the tests use
                services.pledge_sign(assessment=assessment, user=owner)
                ids.append(assessment.pk)
        return ids

    def scored(ids: list[int]) -> int:
        with tenant_context(enterprise):
            return Assessment.objects.filter(pk__in=ids, status="scored").count()

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = open(ROOT / "var" / "bench" / "scoring-worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "worker", "worker", "-P", "solo", "-l", "WARNING",
         "-Q", "default,scoring", "-n", f"bench-scoring-{os.getpid()}@%h",
         "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not status.workers_state(timeout=0.5)["ok"]:
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit("the bench worker did not start; see var/bench/scoring-worker.log")

        # warm-up
        for pk in prepare(5):
            with tenant_context(enterprise):
                services.assessment_submit(
                    assessment=Assessment.objects.get(pk=pk), user=owner, enterprise=enterprise
                )

        # no-op round trip
        noop = []
        for _ in range(N_LATENCY):
            started = time.perf_counter()
            whereami.delay().get(timeout=30)
            noop.append(time.perf_counter() - started)

        # latency, one at a time
        latency = []
        for pk in prepare(N_LATENCY):
            with tenant_context(enterprise):
                started = time.perf_counter()
                services.assessment_submit(
                    assessment=Assessment.objects.get(pk=pk), user=owner, enterprise=enterprise
                )
                while not Assessment.objects.filter(pk=pk, status="scored").exists():
                    time.sleep(0.002)
                latency.append(time.perf_counter() - started)

        # throughput: N submissions committed first (their messages held back), then all N messages
        # sent at once, so the figure is the worker's own rate, not this process's submitting
        from manufacturing.tasks import score_assessment

        ids = prepare(N_THROUGHPUT)
        send = score_assessment.delay
        score_assessment.delay = lambda *args, **kwargs: None
        try:
            with tenant_context(enterprise):
                for assessment in Assessment.objects.filter(pk__in=ids):
                    services.assessment_submit(assessment=assessment, user=owner, enterprise=enterprise)
        finally:
            score_assessment.delay = send
        started = time.perf_counter()
        for pk in ids:
            score_assessment.delay(enterprise.pk, pk)
        while scored(ids) < len(ids):
            time.sleep(0.01)
            if time.perf_counter() - started > 300:
                raise SystemExit("throughput run did not finish in 300 s")
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(30)
        log.close()
        with tenant_context(enterprise):
            Assessment.objects.all().delete()
        shutil.rmtree(Path(settings.MEDIA_ROOT) / "tenants" / enterprise.schema_name, ignore_errors=True)
        ScoringRequest.objects.filter(tenant=enterprise).delete()

    per_s = N_THROUGHPUT / elapsed
    print(f"throughput: {N_THROUGHPUT} assessments scored in {elapsed:.2f} s by one worker process")
    print(f"            {per_s:.1f} assessments/s")
    print(f"{'round trip':<28} {'p50 s':>8} {'p95 s':>8} {'n':>4}")
    noop_label = "no-op task (one SELECT)"
    print(f"{noop_label:<28} {statistics.median(noop):8.4f} {percentile(noop, 95):8.4f} {len(noop):4d}")
    p50, p95 = statistics.median(latency), percentile(latency, 95)
    print(f"{'submit -> result stored':<28} {p50:8.4f} {p95:8.4f} {len(latency):4d}")
    print(f"submit->result p95 / no-op p95: {percentile(latency, 95) / percentile(noop, 95):.2f}x")
    bench_line("scoring_per_s", per_s, "assessments/s")
    bench_line("scoring_latency_p50_s", statistics.median(latency), "s")
    bench_line("scoring_latency_p95_s", percentile(latency, 95), "s")
    bench_line("noop_task_latency_p95_s", percentile(noop, 95), "s")


if __name__ == "__main__":
    main()
