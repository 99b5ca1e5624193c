"""The load bench (bench/load.py, bench/_locustfile.py): its people ask for pages and APIs that exist,
and a short run of the whole bench (5 users for 10 s) ends without a failed request.

Neither test times anything: the figures are the bench's business (`make bench ONLY=load`)."""

import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parent.parent
PLAN = {
    "public_host": "localhost",
    "password": "x",
    "tenants": [{"host": "acme.localhost", "email": "owner@example.com", "token": "t", "assessment": 7}],
    "questions": [{"key": "system-coverage", "options": ["none", "one-area"]}],
    "steps": 4,
    "exhibitions": [3],
    "booths": [5],
}


# Run in a process of its own: importing locust patches the standard library with gevent (sockets,
# threads), which must not happen to the test session. Each task of each kind of person runs against
# a recorder standing in for locust's HTTP client; the paths asked for are printed as JSON.
RECORD = """
import json, sys
sys.path.insert(0, "bench")
import _locustfile as people


class Recorder:
    status_code = 202

    def __init__(self):
        self.calls, self.headers, self.cookies = [], {}, {}

    def _call(self, method, path, **kwargs):
        self.calls.append((method, path))
        return self

    def get(self, path, **kwargs):
        return self._call("GET", path)

    def post(self, path, **kwargs):
        return self._call("POST", path)

    def put(self, path, **kwargs):
        return self._call("PUT", path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


asked = {}
for kind in (people.PublicVisitor, people.Member, people.ApiClient, people.Registrant):
    for task in set(kind.tasks):
        person = type("Person", (), {})()
        person.client = Recorder()
        person.tenant = people.PLAN["tenants"][0]
        person._csrf = lambda: {}
        task(person)
        asked[f"{kind.__name__}.{task.__name__}"] = person.client.calls
print(json.dumps(asked))
"""


def test_every_task_asks_for_a_route_that_exists(tmp_path):
    """Each task of each kind of person asks for a path that the public site's or an enterprise's URL
    conf resolves (with the ids the plan gives), and together they make the issue's mix."""
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", RECORD],
        cwd=ROOT,
        env={**os.environ, "LOAD_PLAN": str(plan)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    asked = json.loads(result.stdout.strip().splitlines()[-1])
    urlconfs = {
        "PublicVisitor": "portal.urls_public",
        "Member": "portal.urls_tenant",
        "ApiClient": "portal.urls_tenant",
        "Registrant": "portal.urls_public",
    }
    assert {task.split(".")[0] for task in asked} == set(urlconfs)
    routes = set()
    for task, calls in asked.items():
        assert calls, task
        for method, path in calls:
            try:
                match = resolve(urllib.parse.urlsplit(path).path, urlconf=urlconfs[task.split(".")[0]])
            except Resolver404:
                pytest.fail(f"{task} asks for {method} {path}: no such route")
            routes.add(match.url_name)
    # The mix: pages, tenant API reads, answer saves, hall search, registrations.
    assert {"home", "hall-fair", "hall-booth", "api-assessments", "assessment-answer", "api-answer"} <= routes
    assert "api-registrations" in routes


@pytest.mark.worker
def test_a_short_run_of_the_bench_has_no_failed_request(tmp_path):
    """bench/load.py end to end at 5 users for 10 s, in a database of its own and with a Redis of its
    own (its Celery worker must not take the test session's tasks): no request failed."""
    from portal.runner import EmbeddedRedis

    base = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    database = f"{base.path.lstrip('/')}_loadsmoke"
    redis = EmbeddedRedis(tmp_path / "redis", persistent=False)
    redis_url = redis.start()
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "LOAD_DATABASE": database,
        "LOAD_USERS": "5",
        "LOAD_SPAWN_RATE": "5",
        "LOAD_SECONDS": "10",
        "LOAD_BASELINE_SECONDS": "3",
        "PYTHONPATH": str(ROOT),
    }
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "load.py")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=280,
        )
    finally:
        redis.stop()
        import psycopg

        admin = urllib.parse.urlunsplit(base._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    figures = dict(re.findall(r"^BENCH (\S+) (\S+)", result.stdout, re.MULTILINE))
    assert float(figures["load_errors"]) == 0, output[-4000:]
    # Every kind of person got through: a member signed in, an API client read, a visitor browsed,
    # the registrant registered (which of each one's tasks ran in 10 s is up to chance).
    rows = re.findall(r"^    (\w+: [\w -]+?)\s+(\d+)\s+(\d+)\s", result.stdout, re.MULTILINE)
    asked = {name: int(requests) for name, requests, _failed in rows}
    assert asked.get("member: sign in"), output[-4000:]
    assert asked.get("api: registration"), output[-4000:]
    assert any(n.startswith(("api: work", "api: assess", "api: frame")) for n in asked), output[-4000:]
    assert any(n.startswith(("hall: ", "public: ")) for n in asked), output[-4000:]
