"""Turning a typed name into a search over the graph's normalised name keys.

The pipeline stores each golden person's `name_key` and `surname_key` as
`hub.identity.names.normalise_name` computes them (`abdulay|akmal|bahtiyur`, `abdulay`), so
the search string goes through the same function: any script, case, word order, apostrophe
or patronymic form finds the same people. The surname must match; a given name or
patronymic, when typed, must match too; an initial matches any name with that first letter;
a gendered surname or patronymic (Abdullayeva, …qizi) leaves out persons of the other sex.
`?` (a letter lost in a Windows-1251 export) matches any one letter.
"""

from __future__ import annotations

from hub.api.errors import BadUserInputError
from hub.api.people.data import NameQuery
from hub.identity.names import KEY_SEPARATOR, normalise_name


def _like(key: str) -> str:
    # Keys hold ASCII letters and '?'; LIKE's '_' is the one-letter wildcard.
    return key.replace("?", "_")


def name_query(text: str) -> NameQuery:
    """The NameQuery for `text`; BadUserInputError when no surname can be read from it."""
    name = normalise_name(text)
    if name is None or not name.surname_key:
        raise BadUserInputError(
            f"Argument 'name' has value {text!r}. No name could be read from it.",
            argument="name",
        )
    if not name.given_key and not name.patronymic_key:
        return NameQuery(_like(name.surname_key), None, name.sex_hint)
    given = _part_pattern(name.given_key)
    patronymic = _part_pattern(name.patronymic_key)
    pattern = KEY_SEPARATOR.join((_like(name.surname_key), given, patronymic))
    return NameQuery(_like(name.surname_key), pattern, name.sex_hint)


def _part_pattern(key: str) -> str:
    """A LIKE pattern for one name part: any value when unknown, a prefix for an initial."""
    if not key:
        return "%"
    if len(key) == 1:
        return _like(key) + "%"
    return _like(key)
