"""Server texts as codes with parameters (sanmenxia.texts): stored and read back, and every code has its words
in both of the app's locales (the web build checks the same from web/src/vocabulary.json)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from sanmenxia import texts
from sanmenxia.checkpoints.rules import Advice
from sanmenxia.healthcode import rules
from sanmenxia.holds import CodeColor
from sanmenxia.texts import TextCode

LOCALES = Path(__file__).resolve().parents[2] / "web" / "src" / "locales"


def _keys(path: Path) -> tuple[set[str], set[str]]:
    """Top-level keys and the keys of the nested ``advice`` group of a texts.<locale>.js module."""
    source = path.read_text(encoding="utf-8")
    advice = re.search(r"\n  advice: \{(.*?)\n  \}", source, re.S)
    assert advice, f"{path.name} has no advice group"
    top = set(re.findall(r"^  ([a-z0-9_]+): '", source, re.M))  # the codes' messages (groups hold other things)
    return top, set(re.findall(r"^    ([a-z0-9_]+): ", advice.group(1), re.M))


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_server_text_code_has_words_in_each_locale(locale: str) -> None:
    # Given the app's texts module of a locale, When compared with the server's codes, Then they are the same set
    top, advice = _keys(LOCALES / f"texts.{locale}.js")
    assert top == set(texts.codes())
    assert advice == {item.value for item in Advice}


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
