"""The platform's shared vocabularies: one module per concept, the source for the server *and* the app.

The server's enums live here or are gathered here; ``export()`` is what ``python -m infra.vocabulary`` writes to
``web/src/vocabulary.json``, which the app imports for its lists (labels stay in the app's locale files, keyed by
these codes); ``tests/unit/test_vocabulary.py`` fails when the committed file and the code disagree.

Symptoms were two lists (check-ins had no ``fever``; ``loss_of_taste_or_smell`` at check-in and
``loss_of_smell_or_taste`` in self-reports): now one, and the retired spelling is still read and accepted, as
the canonical value (``Symptom._missing_``), so stored records and old app versions keep working.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Symptom(StrEnum):
    """Symptoms a resident reports: at check-in, in a self-report, and in a key person's follow-up."""

    FEVER = "fever"  # 发热
    COUGH = "cough"  # 咳嗽
    SORE_THROAT = "sore_throat"  # 咽痛
    FATIGUE = "fatigue"  # 乏力
    SHORTNESS_OF_BREATH = "shortness_of_breath"  # 呼吸困难
    DIARRHEA = "diarrhea"  # 腹泻
    MUSCLE_ACHE = "muscle_ache"  # 肌肉酸痛
    LOSS_OF_TASTE_OR_SMELL = "loss_of_taste_or_smell"  # 嗅觉味觉减退
    RUNNY_NOSE = "runny_nose"  # 流涕
    CHILLS = "chills"  # 寒战
    OTHER = "other"  # 其他

    @classmethod
    def _missing_(cls, value: object) -> Symptom | None:
        canonical = RETIRED_SYMPTOMS.get(str(value))
        return cls(canonical) if canonical else None


#: Spellings used before the lists were merged → the value they mean now.
RETIRED_SYMPTOMS: dict[str, str] = {"loss_of_smell_or_taste": Symptom.LOSS_OF_TASTE_OR_SMELL.value}


def canonical_symptoms(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Stored symptom codes in today's spelling, each once, in their order."""
    return tuple(dict.fromkeys(RETIRED_SYMPTOMS.get(value, value) for value in values))


def export() -> dict[str, Any]:
    """Every shared vocabulary as plain lists of codes (what ``web/src/vocabulary.json`` holds)."""
    from sanmenxia.checkpoints.rules import Advice
    from sanmenxia.hotline.routing import Department, TipoffCategory
    from sanmenxia.portal.rules import HelpKind
    from sanmenxia.residents.rules import HardshipKind
    from sanmenxia.supplies.catalogue import CATALOGUE, Item
    from sanmenxia.texts import codes, field_error_codes

    return {
        "symptoms": [symptom.value for symptom in Symptom],
        "retired_symptoms": RETIRED_SYMPTOMS,
        "tipoff_categories": [category.value for category in TipoffCategory],
        "departments": [department.value for department in Department],
        "hardship_kinds": [kind.value for kind in HardshipKind],
        "help_kinds": [kind.value for kind in HelpKind],
        "supply_items": [item.value for item in Item],
        "supply_units": {item.value: {"zh-CN": CATALOGUE[item].unit, "en": CATALOGUE[item].unit_en} for item in Item},
        "texts": codes(),
        "gate_advice": [advice.value for advice in Advice],
        "field_errors": field_error_codes(),
    }
