"""Framework definitions: the loader refuses a broken one and names the fault."""

import pytest

from manufacturing import scoring
from manufacturing.frameworks import loader
from tests.manufacturing.definitions import cmmm, full_answers, points


def refused(definition) -> str:
    with pytest.raises(loader.FrameworkError) as excinfo:
        loader.validate_definition(definition)
    return str(excinfo.value)


def test_points_that_do_not_add_up():
    d = points()
    d["dimensions"][0]["subdimensions"][0]["questions"][0]["points"] = 7
    message = refused(d)
    assert "dimensions[0].subdimensions[0]: question points add up to 13, expected 14" in message


def test_dimensions_must_add_up_to_the_total():
    d = points()
    d["total_points"] = 25
    assert "dimension points add up to 20, expected total_points 25" in refused(d)


def test_duplicate_keys():
    d = points()
    d["dimensions"][0]["subdimensions"][1]["questions"][0]["key"] = "net"
    assert "key 'net' is already used" in refused(d)
    d = points()
    d["dimensions"][0]["subdimensions"][0]["questions"][0]["options"][1]["key"] = "a"
    assert "duplicate key 'a'" in refused(d)


def test_bands_must_ascend_and_end_open():
    d = points()
    bands = d["dimensions"][0]["subdimensions"][0]["questions"][1]["bands"]
    bands[2]["upto"] = 15
    assert "bands must ascend: 15 after 20" in refused(d)
    d = points()
    d["dimensions"][0]["subdimensions"][0]["questions"][1]["bands"][-1]["upto"] = 100
    assert "the last band must be open-ended" in refused(d)


def test_every_option_is_scored():
    d = points()
    del d["dimensions"][0]["subdimensions"][1]["questions"][0]["options"][1]["score"]
    assert "every option needs a score" in refused(d)


def test_texts_need_both_languages():
    d = points()
    d["dimensions"][0]["name"] = {"zh": "基础"}
    assert "dimensions[0].name: needs a text in both languages" in refused(d)


def test_level_rules_and_recommendations_are_checked():
    d = points()
    d["level_rules"][1]["min_score"] = 50
    assert "outside 0..20" in refused(d)
    d = points()
    d["recommendations"][0]["when"] = {"question": "ghost", "below": 50}
    assert "unknown question 'ghost'" in refused(d)


def test_exclusive_option_only_in_multi_and_scores_zero():
    d = points()
    d["dimensions"][0]["subdimensions"][1]["questions"][0]["options"][0]["exclusive"] = True
    assert "only a multi question has an exclusive option" in refused(d)


def test_cmmm_checks():
    d = cmmm()
    d["rating_scale"] = [0, 1, 0.5]
    assert "ascending list" in refused(d)
    d = cmmm()
    d["elements"][0]["domains"][0]["subdomains"][0]["requirements"][0]["level"] = 9
    assert "9 is not a defined level" in refused(d)


def test_broken_yaml_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: x\n  bad: [indent", encoding="utf-8")
    with pytest.raises(loader.FrameworkError) as excinfo:
        loader.validate_file(path)
    assert "not valid YAML" in str(excinfo.value)


def test_checksum_ignores_key_order():
    a = points()
    b = dict(reversed(list(points().items())))
    assert loader.checksum(a) == loader.checksum(b)
    b["version"] = "2"
    assert loader.checksum(a) != loader.checksum(b)


# --- the shipped frameworks -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", loader.definition_files(), ids=lambda p: p.name)
def test_shipped_definitions_are_valid(path):
    definition = loader.validate_file(path)
    assert definition["notes"]["zh"] and definition["notes"]["en"]


def test_two_frameworks_ship_and_one_is_the_default():
    definitions = [loader.validate_file(p) for p in loader.definition_files()]
    assert {d["kind"] for d in definitions} == {"points", "cmmm"}
    assert [d["code"] for d in definitions if d.get("default")] == ["miit-sme-mfg"]


def miit() -> dict:
    return next(loader.validate_file(p) for p in loader.definition_files() if "miit" in p.name)


def test_miit_2024_structure():
    d = miit()
    dims = {dim["key"]: dim for dim in d["dimensions"]}
    assert sorted(dim["points"] for dim in d["dimensions"]) == [0, 20, 30, 50]
    ix = scoring.index(d)
    assert len(ix.questions) == 15
    assert len(ix.scenes) == 16
    assert sum(1 for s in ix.scenes.values() if s["constraint"]) == 10
    assert [
        (r["level"], r["min_score"], r["min_scenes"], r["min_constraint_scenes"]) for r in d["level_rules"]
    ] == [
        (4, 80, 10, 6),
        (3, 60, 8, 5),
        (2, 40, 6, 3),
        (1, 20, 6, 3),
    ]
    assert len(dims) == 4


def test_miit_full_marks_and_all_scenes_at_l4_is_level_4():
    d = miit()
    result = scoring.score(d, full_answers(d))
    assert result["total"] == pytest.approx(100)
    assert result["level"] == 4


def test_cmmm_has_twenty_subdomains_and_five_levels():
    d = next(loader.validate_file(p) for p in loader.definition_files() if "cmmm" in p.name)
    ix = scoring.index(d)
    assert len(ix.subdomains) == 20
    assert [lv["level"] for lv in d["levels"]] == [1, 2, 3, 4, 5]
    full = {key: {"rating": 1} for key in ix.requirements}
    result = scoring.score(d, full)
    assert result["level"] == 5 and result["total"] == 5


# --- publishing ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_is_idempotent_and_a_published_version_is_immutable():
    from manufacturing.frameworks.models import Framework
    from manufacturing.frameworks.services import FrameworkChanged, framework_load

    first, created = framework_load(definition=points())
    assert created and first.kind == "points" and first.checksum == loader.checksum(points())
    again, created = framework_load(definition=points())
    assert not created and again.pk == first.pk
    changed = points()
    changed["name"]["en"] = "Tiny, edited"
    with pytest.raises(FrameworkChanged) as excinfo:
        framework_load(definition=changed)
    assert "cannot change" in str(excinfo.value)
    changed["version"] = "2"
    _second, created = framework_load(definition=changed)
    assert created and Framework.objects.filter(code="tiny").count() == 2
    assert Framework.objects.get(pk=first.pk).definition == loader.normalise(points())


@pytest.mark.django_db
def test_a_broken_definition_is_not_published():
    from manufacturing.frameworks.models import Framework
    from manufacturing.frameworks.services import framework_load

    broken = points()
    broken["total_points"] = 99
    with pytest.raises(loader.FrameworkError):
        framework_load(definition=broken)
    assert not Framework.objects.filter(code="tiny").exists()


@pytest.mark.django_db
def test_the_shipped_frameworks_are_published_by_setup():
    from manufacturing.frameworks.models import Framework

    assert Framework.objects.filter(code="miit-sme-mfg", is_default=True).exists()
    assert Framework.objects.filter(code="cmmm-gbt39116").exists()


def test_check_command_line(capsys):
    assert loader.main(["check"]) == 0
    assert "ok " in capsys.readouterr().out


def test_a_recommendation_must_name_the_right_kind_of_thing():
    d = points()
    d["recommendations"][0]["when"] = {"question": "equip", "below": 50}  # a subdimension, not a question
    assert "unknown question 'equip'" in refused(d)


def test_level_rules_may_not_skip_a_level():
    d = points()
    d["level_rules"][1]["level"] = 0
    message = refused(d)
    assert "one level at a time" in message or "lowest" in message


def test_a_dimension_cannot_have_both_scenes_and_questions():
    d = points()
    d["dimensions"][1]["subdimensions"] = d["dimensions"][0]["subdimensions"]
    assert "either scenes or subdimensions" in refused(d)


@pytest.mark.parametrize("make", [points, cmmm])
def test_recommendations_left_empty_are_refused_not_left_to_crash_the_scoring(make):
    d = make()
    d["recommendations"] = None  # `recommendations:` with nothing after it, as YAML reads it
    assert "recommendations: must be a list (write [] for none)" in refused(d)
    d["recommendations"] = []
    loader.validate_definition(d)
