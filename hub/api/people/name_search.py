"""Turning a typed name into a search over the graph's normalised name keys.

The pipeline stores each golden person's `name_key` and `surname_key` as
`hub.identity.names.normalise_name` computes them (`abdulay|akmal|bahtiyur`, `abdulay`), so
the search string goes through the same function: any script, case, word order, apostrophe
or patronymic form finds the same people. The surname must match; a given name or
patronymic, when typed, must match too; an initial matches any name with that first letter;
a gendered surname or patronymic (Abdullayeva, …qizi) leaves out persons of the other sex.
`?` (a letter lost in a Windows-1251 export) matches any one letter, whether typed in the
search or stored in a person's surname. Initials are Uzbek letters: "Sh." finds Shahnoza
and not Sohiba, and "S." finds Sohiba and not Shahnoza.
"""

from __future__ import annotations

from typing import Final

from hub.api.errors import BadUserInputError
from hub.api.people.criteria import NameQuery
from hub.identity.names import KEY_SEPARATOR, is_initial_key, normalise_name


def _like(key: str) -> str:
    # Keys hold ASCII letters and '?'; LIKE's '_' is the one-letter wildcard.
    return key.replace("?", "_")


# An initial S. is not Sh.: a one-letter initial that begins a digraph letter excludes
# the names beginning with that letter (see hub.identity.names.initial_key).
_DIGRAPH_SECOND: Final = {"s": "h", "c": "h", "n": "g"}


def name_query(text: str) -> NameQuery:
    """The NameQuery for `text`; BadUserInputError when no surname can be read from it."""
    name = normalise_name(text)
    if name is None or not name.surname_key:
        raise BadUserInputError(
            f"Argument 'name' has value {text!r}. No name could be read from it.",
            argument="name",
        )
    surname = _like(name.surname_key)
    if not name.given_key and not name.patronymic_key:
        return NameQuery(surname, None, name.sex_hint)
    given, patronymic = name.given_key, name.patronymic_key
    rest = KEY_SEPARATOR.join((_part_pattern(given), _part_pattern(patronymic)))
    excluded = []
    if given in _DIGRAPH_SECOND:
        excluded.append(KEY_SEPARATOR.join((given + _DIGRAPH_SECOND[given] + "%", "%")))
    if patronymic in _DIGRAPH_SECOND:
        excluded.append(KEY_SEPARATOR.join(("%", patronymic + _DIGRAPH_SECOND[patronymic] + "%")))
    return NameQuery(surname, rest, name.sex_hint, tuple(excluded))


def _part_pattern(key: str) -> str:
    """A LIKE pattern for one name part: any value when unknown, a prefix for an initial."""
    if not key:
        return "%"
    if is_initial_key(key):
        return _like(key) + "%"
    return _like(key)
