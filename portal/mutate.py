"""`make mutate`: mutation testing of the rules that matter most (scoring and the peer cohort, loan
matching, the access and scope checks, the hall and evidence visibility rules, the credit-code check).

mutmut (pinned in constraints.txt; configured in pyproject.toml under [tool.mutmut]) changes those
modules one small step at a time (a `<` becomes `<=`, a `True` becomes `False`, a string changes) and
runs, for each change, only the fast tests that call the changed function. A mutant the tests do not
notice is a rule nobody guards. Mutants that cannot change behaviour (equivalent ones) are listed, each
with why, in mutation-equivalents.toml beside the configuration; the figure leaves them out:

    killed % = mutants the tests caught (failed or hung) / (all mutants - listed equivalents)

Run by portal/runner.py with the servers of `make test` (its own embedded PostgreSQL and Redis unless
DATABASE_URL / REDIS_URL name others). Each mutant's pytest session copies one database built once
(tests/conftest.py, TEST_DATABASE_BASE), so a test that needs the database costs about a second.
Exits non-zero below MUTATE_TARGET (default 90) so that a slip shows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import psycopg
import psycopg.conninfo

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EQUIVALENTS = ROOT / "mutation-equivalents.toml"
BASE = "mutate_base"
CAUGHT = {"killed", "timeout", "segfault", "caught by type check"}


def module_of(name: str) -> str:
    """'finance.matching.x_checks__mutmut_4' -> 'finance.matching'."""
    return name.split(".x", 1)[0] if ".x_" in name else name.rsplit(".", 1)[0]


def equivalents_load(path: Path = EQUIVALENTS) -> dict[str, str]:
    """Mutant name -> why it cannot change behaviour."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text("utf-8"))
    return {row["name"]: row["why"].strip() for row in data.get("mutant", [])}


def results_read() -> dict[str, str]:
    """Every mutant of the last run and its status, as `mutmut results --all true` lists them."""
    out = subprocess.run(
        [str(BIN / "mutmut"), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    statuses = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            statuses[name] = status.strip()
    return statuses


def summary(statuses: dict[str, str], equivalent: dict[str, str]) -> dict:
    """Per module and in all: mutants, caught, equivalent, left alive; the killed share."""
    per = defaultdict(Counter)
    alive = []
    for name, status in sorted(statuses.items()):
        if status == "not checked":  # a run limited to some names: the others were not run
            continue
        row = per[module_of(name)]
        row["mutants"] += 1
        if status in CAUGHT:
            row["caught"] += 1
        elif name in equivalent:
            row["equivalent"] += 1
        else:
            row["alive"] += 1
            alive.append((name, status))
    total = sum(per.values(), Counter())
    counted = total["mutants"] - total["equivalent"]
    stale = sorted(n for n in equivalent if statuses.get(n) in CAUGHT or n not in statuses)
    unchecked = sum(status == "not checked" for status in statuses.values())
    return {
        "per_module": dict(per),
        "total": total,
        "killed_pct": round(100 * total["caught"] / counted, 1) if counted else 100.0,
        "alive": alive,
        "stale": stale,
        "unchecked": unchecked,
    }


def maintenance_conninfo() -> str:
    """The server DATABASE_URL names, but its maintenance database (`postgres`): the database the URL
    names need not exist (the tests create test_<name> beside it)."""
    return psycopg.conninfo.make_conninfo(os.environ["DATABASE_URL"], dbname="postgres")


def databases_drop(base: str) -> list[str]:
    """Drops the base database and its per-session copies (tests/conftest.py names them
    test_<base>_<pid>): before a run, since code and migrations may have changed, and after it. A
    mutant's session stopped for taking too long cannot drop its own copy; this does."""
    with psycopg.connect(maintenance_conninfo(), autocommit=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
                [base, f"test\\_{base}\\_%"],
            )
        ]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return names


def main(argv: list[str]) -> int:
    target = float(os.environ.get("MUTATE_TARGET", "90"))
    keep = "--keep" in argv  # reuse mutants/ from the last run: only changed functions run again
    names = [a for a in argv if not a.startswith("--")]
    if not keep and not names:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    databases_drop(BASE)
    env = {**os.environ, "TEST_DATABASE_BASE": BASE, "TEST_FAST_PASSWORD_HASHING": "1"}
    started = time.monotonic()
    code = subprocess.call([str(BIN / "mutmut"), "run", "--max-children", "2", *names], cwd=ROOT, env=env)
    took = time.monotonic() - started
    databases_drop(BASE)
    if code != 0:
        print(f"mutmut run exited with {code}", file=sys.stderr)
        return code
    report = summary(results_read(), equivalents_load())
    print()
    print(f"{'module':<34}{'mutants':>9}{'caught':>8}{'equiv.':>8}{'alive':>7}{'killed %':>10}")
    for module, row in sorted(report["per_module"].items()):
        counted = row["mutants"] - row["equivalent"]
        pct = 100 * row["caught"] / counted if counted else 100.0
        print(
            f"{module:<34}{row['mutants']:>9}{row['caught']:>8}{row['equivalent']:>8}{row['alive']:>7}{pct:>10.1f}"
        )
    total = report["total"]
    print(
        f"{'all':<34}{total['mutants']:>9}{total['caught']:>8}{total['equivalent']:>8}{total['alive']:>7}"
        f"{report['killed_pct']:>10.1f}"
    )
    print(f"\n{len(report['alive'])} left alive (see one with: .venv/bin/mutmut show NAME):")
    for name, status in report["alive"]:
        print(f"  {name}  [{status}]")
    if report["stale"]:
        print("\nListed as equivalent but caught or gone (update mutation-equivalents.toml):")
        for name in report["stale"]:
            print(f"  {name}")
    if report["unchecked"]:
        print(f"\n{report['unchecked']} mutants not run (a run limited to some names)")
    print(f"\nmutation testing took {took:.0f} s")
    print(f"BENCH mutants_killed_pct {report['killed_pct']} %")
    print(f"BENCH mutate_seconds {took:.0f} s")
    if report["killed_pct"] < target:
        print(f"below the target of {target:g} %", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
