"""`make mutate` (portal/mutate.py) without running it: its configuration names files that exist, the
equivalent mutants are listed with a reason, and the figure leaves out exactly those."""

import tomllib

from portal import mutate

CONFIG = tomllib.loads((mutate.ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]


def test_every_module_and_test_file_the_configuration_names_exists():
    for path in CONFIG["source_paths"] + CONFIG["pytest_add_cli_args_test_selection"]:
        assert (mutate.ROOT / path).is_file(), path


def test_the_mutated_modules_are_the_rules():
    assert set(CONFIG["source_paths"]) >= {
        "manufacturing/scoring.py",
        "manufacturing/review/cohort.py",
        "finance/matching.py",
        "core/roles.py",
        "manufacturing/policy.py",
        "exhibition/hall/policy.py",
        "tenants/credit_code.py",
    }


def test_each_listed_equivalent_names_a_mutant_of_a_mutated_module_and_says_why():
    data = tomllib.loads(mutate.EQUIVALENTS.read_text("utf-8"))
    modules = {path.removesuffix(".py").replace("/", ".") for path in CONFIG["source_paths"]}
    names = [row["name"] for row in data.get("mutant", [])]
    assert names == sorted(names) and len(names) == len(set(names))
    for row in data.get("mutant", []):
        assert mutate.module_of(row["name"]) in modules, row["name"]
        assert "__mutmut_" in row["name"], row["name"]
        assert len(row["why"].split()) >= 5 and row["change"].strip(), row["name"]


def test_the_killed_share_leaves_out_the_listed_equivalents_and_counts_the_rest():
    statuses = {
        "finance.matching.x_checks__mutmut_1": "killed",
        "finance.matching.x_checks__mutmut_2": "timeout",
        "finance.matching.x_checks__mutmut_3": "survived",
        "finance.matching.x_checks__mutmut_4": "survived",
        "core.roles.x_scope_q__mutmut_1": "no tests",
        "core.roles.x_scope_q__mutmut_2": "killed",
        "core.roles.x_scope_q__mutmut_3": "not checked",
    }
    equivalent = {"finance.matching.x_checks__mutmut_4": "why", "core.roles.x_gone__mutmut_9": "why"}
    report = mutate.summary(statuses, equivalent)
    assert report["killed_pct"] == 60.0  # 3 caught of 6 - 1 equivalent
    assert report["alive"] == [
        ("core.roles.x_scope_q__mutmut_1", "no tests"),
        ("finance.matching.x_checks__mutmut_3", "survived"),
    ]
    assert report["stale"] == ["core.roles.x_gone__mutmut_9"]
    assert report["unchecked"] == 1  # not run: neither caught nor alive
    assert report["per_module"]["finance.matching"] == {
        "mutants": 4,
        "caught": 2,
        "equivalent": 1,
        "alive": 1,
    }


def test_a_listed_equivalent_that_a_test_catches_is_stale():
    report = mutate.summary({"core.roles.x_a__mutmut_1": "killed"}, {"core.roles.x_a__mutmut_1": "why"})
    assert report["stale"] == ["core.roles.x_a__mutmut_1"] and report["killed_pct"] == 100.0


def test_module_names_are_read_from_mutant_names():
    assert mutate.module_of("finance.matching.x_checks__mutmut_4") == "finance.matching"
    assert mutate.module_of("manufacturing.review.cohort.x_steps__mutmut_1") == "manufacturing.review.cohort"
    assert (
        mutate.module_of("manufacturing.scoring.xǁAnswerErrorǁ__init____mutmut_3") == "manufacturing.scoring"
    )


def test_the_base_database_and_its_copies_are_dropped_and_nothing_else():
    import os

    import psycopg

    # DATABASE_URL names a database that need not exist (CI's second pass), so this test and
    # databases_drop work on the server's maintenance database.
    # The base, one session's copy, and another database whose name merely starts alike:
    names = ["mutate_probe", f"test_mutate_probe_{os.getpid()}", "mutate_probe2"]
    with psycopg.connect(mutate.maintenance_conninfo(), autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        assert sorted(mutate.databases_drop("mutate_probe")) == sorted(names[:2])
        with psycopg.connect(mutate.maintenance_conninfo(), autocommit=True) as conn:
            left = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        assert "mutate_probe2" in left and not left & set(names[:2])
    finally:
        with psycopg.connect(mutate.maintenance_conninfo(), autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
