"""Reading the sex field as the agencies write it."""

from __future__ import annotations

from typing import Final

from hub.identity.types import Sex

# Latin codes (survey, tax, bank) and the Cyrillic ones of the employment export
# ("М" мужской / "Ж" женский), which look like Latin letters but are not.
_SEX_BY_CODE: Final[dict[str, Sex]] = {
    "m": "M",
    "f": "F",
    "м": "M",
    "ж": "F",
    "male": "M",
    "female": "F",
}


def normalise_sex(value: object) -> Sex | None:
    """Return ``"M"``/``"F"`` for a recognised sex code, else ``None``.

    Accepts ``M``/``F`` and the Cyrillic ``М``/``Ж`` in any case with surrounding whitespace,
    and ``male``/``female``. Anything else, including ``None`` and non-strings, is ``None``:
    an unknown sex is missing evidence, not an error. Never raises.
    """
    if not isinstance(value, str):
        return None
    return _SEX_BY_CODE.get(value.strip().lower())
