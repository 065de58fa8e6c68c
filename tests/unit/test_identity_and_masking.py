"""GB 11643 ID numbers, masks, look-up keys and sealing of personal data."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.idnumber import InvalidIdNumber, check_character, make_id_number, parse_id_number
from sanmenxia.masking import mask_id_number, mask_name, mask_phone
from sanmenxia.pii import Vault, lookup_key


def test_known_valid_number() -> None:
    # The example number of GB 11643's annex: 11010519491231002X
    parsed = parse_id_number("11010519491231002x")
    assert parsed.value == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1101051949123100", "18 characters"),
        ("11010519491231002Y", "digit or X"),
        ("99010519491231002X", "region"),
        ("110105194902300021", "real date"),
        ("110105194912310021", "check digit"),
    ],
)
def test_invalid_numbers_say_why(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdNumber, match=reason):
        parse_id_number(value)


def test_future_birth_date_is_refused() -> None:
    with pytest.raises(InvalidIdNumber, match="out of range"):
        parse_id_number(make_id_number("411202", date(2030, 1, 1), 1), today=date(2026, 1, 1))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)), st.integers(0, 999))
def test_generated_numbers_validate_and_one_changed_digit_does_not(born: date, sequence: int) -> None:
    number = make_id_number("411282", born, sequence)
    assert parse_id_number(number).birth_date == born
    wrong = "0" if number[17] != "0" else "1"
    if check_character(number[:17]) != wrong:
        with pytest.raises(InvalidIdNumber):
            parse_id_number(number[:17] + wrong)


def test_masks() -> None:
    assert mask_id_number("411202199001011237") == "411202********1237"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_phone("13812345678") == "138****5678"


def test_lookup_keys_are_keyed_and_stable() -> None:
    assert lookup_key(b"k1", "idn", "x") == lookup_key(b"k1", "idn", "x")
    assert lookup_key(b"k1", "idn", "x") != lookup_key(b"k2", "idn", "x")
    assert lookup_key(b"k1", "idn", "x") != lookup_key(b"k1", "phone", "x")


class FakeKms:
    """A stand-in for KMS's data-key API: counts calls, wraps keys reversibly."""

    def __init__(self) -> None:
        self.generated = 0
        self.decrypted = 0

    def generate_data_key(self, KeyId: str, KeySpec: str) -> dict[str, bytes]:
        self.generated += 1
        key = bytes([self.generated]) * 32
        return {"Plaintext": key, "CiphertextBlob": b"wrapped:" + key}

    def decrypt(self, CiphertextBlob: bytes, KeyId: str) -> dict[str, bytes]:
        self.decrypted += 1
        return {"Plaintext": CiphertextBlob.removeprefix(b"wrapped:")}


def test_vault_round_trip_binds_purpose_and_caches_the_data_key() -> None:
    kms = FakeKms()
    vault = Vault(kms, "key")
    sealed = [vault.seal("name", f"张{i}") for i in range(100)]
    assert kms.generated == 1
    assert [vault.open("name", value) for value in sealed] == [f"张{i}" for i in range(100)]
    assert kms.decrypted == 0
    assert "张" not in "".join(sealed)
    with pytest.raises(Exception):  # noqa: B017 - AES-GCM's InvalidTag: the purpose is authenticated
        vault.open("phone", sealed[0])
    fresh = Vault(kms, "key")
    assert fresh.open("name", sealed[0]) == "张0"
    assert kms.decrypted == 1
