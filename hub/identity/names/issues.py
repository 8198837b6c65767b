"""Why a name could not be read, and what was noticed about one that could."""

from __future__ import annotations

from enum import StrEnum


class NameIssue(StrEnum):
    """Reasons on a ``NameParse``.

    The first five leave no name (``NameParse.issue``); the rest are notes on a name that
    was read (``NameParse.notes``).
    """

    EMPTY = "empty"
    NOT_TEXT = "not_text"
    NO_LETTERS = "no_letters"
    UNSUPPORTED_SCRIPT = "unsupported_script"
    NO_SURNAME = "no_surname"

    MIXED_SCRIPTS = "mixed_scripts"
    UNKNOWN_LETTERS = "unknown_letters"
    DIGITS_IGNORED = "digits_ignored"
    GIVEN_NAME_FIRST = "given_name_first"
    SEX_CONFLICT = "sex_conflict"
    STRAY_MARKER = "stray_marker"
