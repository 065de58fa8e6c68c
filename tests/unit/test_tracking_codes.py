"""Tip-off tracking codes (issue 15): grouped Crockford base32, never starting with a dash, read in any case or
grouping; codes issued before keep working exactly as they were typed."""

from __future__ import annotations

import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.tipoffs.rules import new_tracking_code, normalise_tracking_code, tracking_hash, tracking_hashes


def test_a_new_code_is_five_groups_of_four_without_a_leading_dash() -> None:
    for _ in range(200):
        code = new_tracking_code()
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}", code), code


def test_case_spaces_dashes_and_look_alike_letters_do_not_matter() -> None:
    code = new_tracking_code()
    typed = " " + code.lower().replace("-", " ").replace("0", "o").replace("1", "l") + " "
    assert tracking_hash(typed) == tracking_hash(code)
    assert normalise_tracking_code(typed) == code.replace("-", "")


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=10, max_size=30))
def test_an_old_code_is_still_found_by_its_exact_hash(old: str) -> None:
    # Given a code issued before (token_urlsafe), stored as the hash of exactly what was shown
    stored = hashlib.sha256(old.strip().encode()).hexdigest()
    # Then typing it as shown finds it
    assert stored in tracking_hashes(old)
