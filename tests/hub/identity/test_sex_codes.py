from __future__ import annotations

import pytest

from hub.identity import normalise_sex


@pytest.mark.parametrize(
    ("value", "sex"),
    [("M", "M"), ("f", "F"), (" М ", "M"), ("ж", "F"), ("Female", "F"), ("male", "M")],
)
def test_sex_codes_of_every_source_are_read(value: str, sex: str) -> None:
    assert normalise_sex(value) == sex


@pytest.mark.parametrize("value", [None, "", "X", "unknown", 1, ["M"], "MF"])
def test_unknown_sex_is_missing_not_an_error(value: object) -> None:
    assert normalise_sex(value) is None
