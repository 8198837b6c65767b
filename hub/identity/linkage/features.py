"""Mentions to comparison features: names through the project's normaliser, PINFL facts.

One row per mention, keyed by ``unique_id`` (its row number). Everything a comparison or a
blocking rule reads is a column here, so the Splink model stays plain SQL over columns:

- name parts as comparison keys (``surname_key`` is the stem without the gendered ending,
  so Karimov/Karimova and Каримов agree; ``given_key``/``patronymic_key`` are one letter
  when only an initial is known, null when unknown; a ``?`` an export put for a lost letter
  is read as the frame's commonest matching key, see ``lost_letters``);
- ``sex_eff``: the record's stated sex, else the sex its name's form implies;
- ``birth_text``/``birth_swapped``: the record's own birth date as YYYYMMDD and with day and
  month swapped (typo and swap levels); never the PINFL's date;
- ``pinfl``: digits as delivered when they look like a PINFL (14 digits), valid or not;
  ``pinfl_valid``; ``pinfl_confirmed`` when valid and the record states a birth date and
  neither it nor a stated sex contradicts the PINFL; ``pinfl_birth_text``/``pinfl_sex``: the
  date and sex the digits encode (also for an invalid PINFL whose date part reads);
- ``birth_any``: the own date, else the PINFL's (for blocking only);
- ``district``/``region``: the mahalla code's first 7/4 digits (district/region SOATO);
  ``phone``/``passport``: their keys (``phone_key``, ``passport_key``, which the graph's
  records also store for the candidate lookups); ``surveyed``: the mention is a survey member.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from hub.identity.linkage.contract import MENTION_SCHEMA
from hub.identity.linkage.lost_letters import fill_lost_letters
from hub.identity.names import normalise_name
from hub.identity.pinfl_bulk import pinfl_birth_on_expr, pinfl_issue_expr, pinfl_sex_expr

NAME_COLUMNS: Final = ("surname_key", "given_key", "patronymic_key", "name_sex")
_LOOKALIKES: Final = ("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
PHONE_KEY_DIGITS: Final = 9
"""A phone's key: its last 9 digits (the national number without +998 or a leading 0)."""


def passport_key(value: pl.Expr) -> pl.Expr:
    """A passport number as compared: no whitespace, upper case, Cyrillic capitals that
    look like Latin ones read as those (hub.identity.codes.normalise_passport); null when
    nothing is left."""
    cyrillic, latin = _LOOKALIKES
    key = value.str.replace_all(r"\s+", "").str.to_uppercase()
    key = key.str.replace_many(list(cyrillic), list(latin))
    return pl.when(key.str.len_chars() > 0).then(key)


def phone_key(value: pl.Expr) -> pl.Expr:
    """A phone number as compared: its last 9 digits, so +998 90 123-45-67, 998901234567
    and 90 1234567 agree; null with fewer than 7 digits (nothing a number can be told by)."""
    digits = value.str.replace_all(r"[^0-9]", "")
    return pl.when(digits.str.len_chars() >= 7).then(digits.str.slice(-PHONE_KEY_DIGITS))


def _name_table(names: pl.Series) -> pl.DataFrame:
    """Normalise each distinct name once (names repeat a lot)."""
    distinct = names.drop_nulls().unique().to_list()
    parsed = [normalise_name(text) for text in distinct]
    return pl.DataFrame(
        {
            "full_name": distinct,
            "surname_key": [p.surname_key if p else None for p in parsed],
            "given_key": [(p.given_key or None) if p else None for p in parsed],
            "patronymic_key": [(p.patronymic_key or None) if p else None for p in parsed],
            "name_sex": [p.sex_hint if p else None for p in parsed],
        },
        schema={"full_name": pl.String, **dict.fromkeys(NAME_COLUMNS, pl.String)},
    )


def _pinfl_columns() -> list[pl.Expr]:
    digits = pl.col("pinfl")
    valid = pinfl_issue_expr("pinfl").is_null() & digits.is_not_null()
    encoded = pinfl_birth_on_expr(digits)
    agrees = (pl.col("birth_on") == encoded) & (
        pl.col("sex").is_null() | (pl.col("sex") == pinfl_sex_expr(digits))
    )
    return [
        valid.alias("pinfl_valid"),
        (valid & agrees.fill_null(False)).alias("pinfl_confirmed"),
        encoded.dt.strftime("%Y%m%d").alias("pinfl_birth_text"),
        pl.when(digits.is_not_null()).then(pinfl_sex_expr(digits)).alias("pinfl_sex"),
        digits.str.slice(0, 7).alias("pinfl_head"),
        digits.str.slice(7, 7).alias("pinfl_tail"),
    ]


def mention_features(mentions: pl.DataFrame) -> pl.DataFrame:
    """The feature frame of ``mentions`` (``MENTION_SCHEMA``), in input order."""
    frame = mentions.select(
        pl.col(name).cast(dtype) for name, dtype in MENTION_SCHEMA.items()
    ).with_row_index("unique_id")
    clean = pl.col("pinfl").str.replace_all(r"\s+", "")
    frame = frame.with_columns(
        unique_id=pl.col("unique_id").cast(pl.Int64),
        pinfl=pl.when(clean.str.contains(r"^[0-9]{14}$")).then(clean),
        sex=pl.col("sex").str.to_uppercase().replace({"М": "M", "Ж": "F"}),
    )
    frame = frame.join(_name_table(frame["full_name"]), on="full_name", how="left")
    frame = fill_lost_letters(frame, NAME_COLUMNS[:3])
    frame = frame.with_columns(*_pinfl_columns())
    return frame.with_columns(
        birth_any=pl.coalesce(pl.col("birth_on").dt.strftime("%Y%m%d"), "pinfl_birth_text"),
        sex_eff=pl.coalesce("sex", "name_sex"),
        birth_text=pl.col("birth_on").dt.strftime("%Y%m%d"),
        birth_swapped=pl.when(pl.col("birth_on").dt.day() <= 12).then(
            pl.col("birth_on").dt.strftime("%Y%d%m")
        ),
        district=pl.col("mahalla_code").str.slice(0, 7),
        region=pl.col("mahalla_code").str.slice(0, 4),
        phone=phone_key(pl.col("phone")),
        passport=passport_key(pl.col("passport")),
        given_initial=pl.col("given_key").str.slice(0, 1),
        name_ok=pl.col("surname_key").is_not_null(),
        surveyed=pl.col("household_key").is_not_null(),
    ).sort("unique_id")
