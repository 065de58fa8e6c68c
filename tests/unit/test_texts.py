"""Server texts as codes with parameters (sanmenxia.texts): stored and read back, and every code has its words
in both of the app's locales (the web build checks the same from web/src/vocabulary.json)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from sanmenxia import texts
from sanmenxia.api import validation_body
from sanmenxia.checkpoints.rules import Advice
from sanmenxia.healthcode import rules
from sanmenxia.holds import CodeColor
from sanmenxia.texts import TextCode

LOCALES = Path(__file__).resolve().parents[2] / "web" / "src" / "locales"


def _group(source: str, name: str) -> set[str]:
    found = re.search(rf"\n  {name}: \{{(.*?)\n  \}}", source, re.S)
    assert found, f"no {name} group"
    return set(re.findall(r"^    ([a-z0-9_]+): ", found.group(1), re.M))


def _keys(path: Path) -> tuple[set[str], set[str], set[str]]:
    """Top-level keys and the keys of the nested ``advice`` and ``fieldErrors`` groups of a texts.<locale>.js module."""
    source = path.read_text(encoding="utf-8")
    top = set(re.findall(r"^  ([a-z0-9_]+): '", source, re.M))  # the codes' messages (groups hold other things)
    return top, _group(source, "advice"), _group(source, "fieldErrors")


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_server_text_code_has_words_in_each_locale(locale: str) -> None:
    # Given the app's texts module of a locale, When compared with the server's codes, Then they are the same set
    top, advice, field_errors = _keys(LOCALES / f"texts.{locale}.js")
    assert top == set(texts.codes())
    assert advice == {item.value for item in Advice}
    assert field_errors == set(texts.field_error_codes())


def test_validation_errors_carry_a_code_and_numbers_not_pydantics_words() -> None:
    # Given pydantic errors of several kinds, When turned into the platform's error body
    status, body = validation_body(
        [
            {"type": "string_too_long", "loc": ("body", "name"), "msg": "String should have at most 40 characters", "ctx": {"max_length": 40}},
            {"type": "greater_than_equal", "loc": ("query", "limit"), "msg": "Input should be greater than or equal to 1", "ctx": {"ge": 1}},
            {"type": "missing", "loc": ("body", "phone"), "msg": "Field required"},
            {"type": "enum", "loc": ("body", "role"), "msg": "Input should be 'a' or 'b'", "ctx": {"expected": "'a' or 'b'"}},
            {"type": "value_error", "loc": ("body", "id_number"), "msg": "Value error, the check digit does not match"},
        ]
    )
    # Then each field has a code with only numbers as parameters, and the English reason stays beside it
    assert status == 422
    assert [(item["field"], item["code"], item["params"]) for item in body["fields"]] == [
        ("name", "too_long", {"max_length": 40}),
        ("limit", "at_least", {"limit": 1}),
        ("phone", "missing", {}),
        ("role", "choice", {}),
        ("id_number", "invalid", {}),
    ]
    assert body["fields"][4]["reason"] == "the check digit does not match"
    assert set(texts.field_error_codes()) >= {item["code"] for item in body["fields"]}


def test_a_stored_text_reads_back_as_it_was_written_and_old_records_have_none() -> None:
    said = texts.text(TextCode.CHECKPOINT_FEVER, temperature="38.1", at="2020-02-10T08:00:00+08:00")
    assert texts.loads(texts.dumps(said)) == said
    assert texts.loads(None) is None and texts.dumps(None) is None


def test_codes_are_snake_case_and_parameters_hold_no_words() -> None:
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in texts.codes())
    assert texts.fields("reason", TextCode.RULE_RED, left=3) == {"reason_code": "rule_red", "reason_params": {"left": 3}}


def test_the_rule_reason_is_a_code_with_its_numbers() -> None:
    # Given a yellow code two days without a check-in
    today = date(2020, 2, 12)
    applied = date(2020, 2, 9)
    state = rules.CodeState(CodeColor.YELLOW, today, applied, None, 0, today - rules.ONE_DAY, rules.rule_for(today).version)
    # When its reason is read, Then it is a code with the missed days and the red threshold, no sentence
    said = rules.rule_text(state, today)
    assert said == {"reason_code": "rule_yellow", "reason_params": {"missed": 2, "red_after": rules.rule_for(today).red_after_missed_days}}
