"""The keyed hash of an API key stays the one stored keys were made with."""

from __future__ import annotations

import hashlib
import hmac

from hub.access.key_text import KeyText, matches, parse_key_text, secret_hash

PEPPER = bytes(range(32))
KEY = KeyText(key_id="0123456789abcdef", secret="A" * 21 + "b-_" + "9" * 19)


def test_the_hash_is_hmac_sha256_of_the_whole_key_under_the_pepper() -> None:
    whole = f"mh_{KEY.key_id}_{KEY.secret}".encode("ascii")
    expected = hmac.new(PEPPER, whole, hashlib.sha256).hexdigest()
    assert secret_hash(KEY, PEPPER) == expected
    # A known value: a key stored before any change to the code still verifies.
    assert expected == "b878faffaeb74f74d4c716f4a30c554a96892ad98e2d643a59ca5842d4a14598"
    assert parse_key_text(str(KEY)) == KEY


def test_a_key_matches_only_its_own_hash() -> None:
    stored = secret_hash(KEY, PEPPER)
    assert matches(KEY, stored, PEPPER)
    assert not matches(KEY, stored, PEPPER[::-1])
    other = KeyText(key_id=KEY.key_id, secret=KEY.secret[:-1] + "8")
    assert not matches(other, stored, PEPPER)
