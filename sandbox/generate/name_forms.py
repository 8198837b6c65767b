"""How each agency writes a person's name (domain/NAMES.md), from one true name.

Every function takes the true name and a random stream and returns the string the agency
would deliver. Which form a record gets is random but reproducible from the stream.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from sandbox.generate.settings import NoiseSettings

APOSTROPHES: tuple[str, ...] = ("ʻ", "‘", "’", "'", "`", "")
"""Marks typed for the official ʻ in oʻ/gʻ; the empty string drops it."""

_CYRILLIC_UZBEK_TO_1251 = str.maketrans("ўқғҳЎҚҒҲ", "укгхУКГХ")
_CYRILLIC_UZBEK_TO_QUESTION = str.maketrans("ўқғҳЎҚҒҲ", "????????")
_Y_AFTER_VOWEL = re.compile(r"(?<=[aeiouAEIOU])y(?=ev)", re.IGNORECASE)


@dataclass(frozen=True)
class TrueName:
    """A person's name in official Latin and Cyrillic; surnames already in the person's gender."""

    surname: str
    given: str
    father: str
    surname_cyr: str
    given_cyr: str
    father_cyr: str
    female: bool

    @property
    def official(self) -> str:
        """'Surname Given Father oʻgʻli|qizi' in official Latin."""
        return f"{self.surname} {self.given} {self.father} {self.uzbek_patronymic_word}"

    @property
    def uzbek_patronymic_word(self) -> str:
        return "qizi" if self.female else "oʻgʻli"


def _mark(text: str, mark: str) -> str:
    return text.replace("ʻ", mark)


def _russian_latin(text: str) -> str:
    """Russian-style transliteration habits: Abdullayev -> Abdullaev."""
    return _Y_AFTER_VOWEL.sub("", text)


def _order(parts: list[str], rng: random.Random, noise: NoiseSettings) -> list[str]:
    if len(parts) > 1 and rng.random() < noise.given_name_first:
        return [parts[1], parts[0], *parts[2:]]
    return parts


def survey_name(name: TrueName, rng: random.Random, noise: NoiseSettings) -> str:
    """As an assistant types it: Latin, any apostrophe or none, case varying."""
    parts = _order([name.surname, name.given, name.father, name.uzbek_patronymic_word], rng, noise)
    text = _mark(" ".join(parts), rng.choice(APOSTROPHES))
    draw = rng.random()
    if draw < 0.1:
        text = _russian_latin(text)
    if draw < 0.12:
        return text.lower()
    if draw > 0.93:
        return text.upper()
    return text


def appeal_name(name: TrueName, rng: random.Random, noise: NoiseSettings) -> str:
    """As a reception clerk types it: Latin surname and given name, patronymic rarely."""
    parts = [name.surname, name.given]
    if rng.random() < 0.25:
        parts += [name.father, name.uzbek_patronymic_word]
    return _mark(" ".join(_order(parts, rng, noise)), rng.choice(APOSTROPHES))


def tax_name(name: TrueName, rng: random.Random, noise: NoiseSettings) -> str:
    """Upper-case ASCII Latin, ASCII apostrophe or none, sometimes without patronymic."""
    parts = [name.surname, name.given]
    if rng.random() >= noise.patronymic_dropped:
        parts += [name.father, name.uzbek_patronymic_word]
    text = " ".join(_order(parts, rng, noise))
    if rng.random() < 0.3:
        text = _russian_latin(text)
    return _mark(text, rng.choice(("'", ""))).upper()


def employment_name(name: TrueName, rng: random.Random, noise: NoiseSettings) -> str:
    """Cyrillic with an Uzbek (ўғли/қизи) or Russian (-ович/-овна) patronymic."""
    if rng.random() < 0.4:
        patronymic = name.father_cyr + ("овна" if name.female else "ович")
    else:
        patronymic = f"{name.father_cyr} {'қизи' if name.female else 'ўғли'}"
    return " ".join(_order([name.surname_cyr, name.given_cyr, patronymic], rng, noise))


def to_windows_1251(text: str, *, old_export: bool) -> str:
    """What Windows-1251 can hold: ў қ ғ ҳ become у к г х, or '?' in old exports."""
    return text.translate(_CYRILLIC_UZBEK_TO_QUESTION if old_export else _CYRILLIC_UZBEK_TO_1251)


def land_name(name: TrueName, rng: random.Random) -> str:
    """'Abdullayev A. B.': surname and initials of the given name and the father's name."""
    surname = _mark(name.surname, rng.choice(("ʻ", "‘", "'")))
    return f"{surname} {name.given[0]}. {name.father[0]}."


def bank_name(name: TrueName, rng: random.Random) -> str:
    """'ABDULLAEV A.B.': Russian-style Latin, upper case, initials."""
    surname = _russian_latin(name.surname.replace("ʻ", "")).upper()
    if rng.random() < 0.5:
        surname = surname.replace("X", "KH")
    return f"{surname} {name.given[0]}.{name.father[0]}.".upper()


def assistant_name(name: TrueName) -> str:
    """The register's form: official Latin with the common ‘ (U+2018)."""
    return _mark(name.official, "‘")
