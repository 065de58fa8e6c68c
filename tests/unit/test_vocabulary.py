"""The shared vocabularies: one symptom list for every form (old spelling still read), and the app's copy
(``web/src/vocabulary.json``) equal to what the server's code exports."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ValidationError

from infra.vocabulary import TARGET, render
from sanmenxia.healthcode.service import CheckInSymptom
from sanmenxia.residents.rules import Symptom as ReportSymptom
from sanmenxia.vocabulary import Symptom, canonical_symptoms, export


class _Form(BaseModel):
    symptoms: list[Symptom]


def test_the_apps_vocabulary_file_is_what_the_server_exports() -> None:
    # Given the committed file the web build imports, When compared with the code's export, Then they agree
    assert TARGET.read_text(encoding="utf-8") == render(), "web/src/vocabulary.json is stale: run `make vocabulary`"
    assert json.loads(TARGET.read_text(encoding="utf-8")) == json.loads(json.dumps(export()))


def test_check_ins_and_self_reports_share_one_symptom_list_with_fever() -> None:
    assert CheckInSymptom is Symptom and ReportSymptom is Symptom
    assert Symptom("fever") is Symptom.FEVER


def test_the_retired_spelling_is_accepted_and_read_as_todays() -> None:
    # Given an old app or a stored record using loss_of_smell_or_taste
    assert _Form(symptoms=["loss_of_smell_or_taste"]).symptoms == [Symptom.LOSS_OF_TASTE_OR_SMELL]
    assert canonical_symptoms(["cough", "loss_of_smell_or_taste", "loss_of_taste_or_smell"]) == ("cough", "loss_of_taste_or_smell")


def test_an_unknown_symptom_is_still_refused() -> None:
    with pytest.raises(ValidationError):
        _Form(symptoms=["sneezing"])
