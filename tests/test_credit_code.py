"""The Unified Social Credit Code rule (tenants/credit_code.py) on its own, without a form or a
database: what it accepts, how it normalises, and the message of each refusal in both languages.
Fast, so that `make mutate` can run it for every change of the rule."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tenants.credit_code import normalise_credit_code
from tests.uscc_examples import VALID


@pytest.mark.parametrize("code", VALID[:5])
def test_a_valid_code_is_returned_as_it_is(code):
    assert normalise_credit_code(code) == code


def test_spaces_hyphens_and_lower_case_are_normalised():
    assert normalise_credit_code("  91 110000-600037341l ") == "91110000600037341L"


def refusal(value: str, language: str) -> str:
    with translation.override(language):
        with pytest.raises(ValidationError) as caught:
            normalise_credit_code(value)
        return " ".join(str(m) for m in caught.value.messages)


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        ("9111000060003734", "A Unified Social Credit Code has 18 characters; this one has 16.", 16),
        ("", "A Unified Social Credit Code has 18 characters; this one has 0.", 0),
        ("91110000600037341LX", "A Unified Social Credit Code has 18 characters; this one has 19.", 19),
    ],
)
def test_a_code_of_the_wrong_length_says_how_long_it_is(value, english, chinese):
    assert refusal(value, "en") == english
    assert refusal(value, "zh-hans") == f"统一社会信用代码应为 18 位，您输入的是 {chinese} 位。"


def test_a_code_with_a_letter_in_its_first_eight_characters_is_refused_for_its_format():
    english = refusal("9111000A600037341L", "en")
    assert english == (
        "The code may contain only digits and capital letters (not I, O, Z, S or V), "
        "and its first 8 characters must be digits."
    )
    assert (
        refusal("9111000A600037341L", "zh-hans")
        == "代码只能由数字和大写字母（I、O、Z、S、V 除外）组成，且前 8 位须为数字。"
    )


def test_a_wrong_check_character_is_refused_for_its_checksum():
    english = refusal("91110000600037341N", "en")
    assert english == (
        "The check character (the last one) does not match: please check the code for typing errors."
    )
    assert refusal("91110000600037341N", "zh-hans") == "校验位（最后一位）不正确，请检查代码是否输入有误。"


def test_none_is_refused_like_an_empty_code():
    with pytest.raises(ValidationError) as caught:
        normalise_credit_code(None)
    assert caught.value.params == {"n": 0}
