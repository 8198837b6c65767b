"""The database lookups that find the graph records a blocking rule could pair with a delivery.

One entry of `FAMILIES` per family of the saved model's blocking rules (`blocking.Family`):
each lookup joins the graph's mention records to the incoming mentions' keys (`KEYS`, a
scratch table) on indexed columns or on expressions the database can hash, so that it
finds every record such a rule could pair with an incoming mention, and few others
(`blocking.reachable` then keeps exactly those). A record whose own birth date is missing
is blocked by the engine on the date its PINFL encodes (`birth_any`); where it has neither,
its `birth_on` is null too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import Column, Date, MetaData, String, Table, and_, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from pipelines.linking.blocking import Family

KEYS: Final = Table(
    "candidate_keys",
    MetaData(),
    *(Column(name, String(200)) for name in ("pinfl", "passport", "phone", "tin")),
    *(Column(name, String(200)) for name in ("surname_key", "given_key", "given_initial")),
    Column("undated_initial", String(200)),
    *(Column(name, String(200)) for name in ("pinfl_head", "pinfl_tail", "born_ddmmyy")),
    Column("birth_on", Date()),
    *(Column(name, String(200)) for name in ("region", "mahalla_code")),
)
"""The incoming mentions' keys as the candidate lookups read them (a scratch table's shape)."""

Lookup = Callable[[Any, Any], Any]
"""(graph record, incoming keys) -> the lookup's join condition."""


def _undated(record: Any, keys: Any) -> Any:
    """A record without a birth date, whose PINFL encodes the incoming birth date (the
    engine blocks on that date, `birth_any`, where the record states none)."""
    return and_(
        record.c.birth_on.is_(None),
        func.substr(record.c.pinfl, 2, 6) == keys.c.born_ddmmyy,
    )


class given_part(FunctionElement[str]):  # noqa: N801 (a SQL function's name)
    """The given name's key inside a name key (surname|given|patronymic), as SQL: an
    equality the database can hash, where a LIKE is tested on every namesake joined."""

    type = String()
    inherit_cache = True


@compiles(given_part, "postgresql")
def _given_part_postgresql(element: given_part, compiler: Any, **kw: Any) -> str:
    return f"split_part({compiler.process(element.clauses, **kw)}, '|', 2)"


@compiles(given_part)
def _given_part_sqlite(element: given_part, compiler: Any, **kw: Any) -> str:
    key = compiler.process(element.clauses, **kw)
    rest = f"substr({key}, instr({key}, '|') + 1)"
    return f"substr({rest}, 1, instr({rest}, '|') - 1)"


class unindexed(FunctionElement[str]):  # noqa: N801 (a SQL function's name)
    """A column SQLite must not search by its index: ``+column``, SQLite's documented way
    to take an index out of the planner's choices. SQLite has no hash join: a lookup on
    the surname and a PINFL's digits searched the surname index once per incoming key,
    reading every namesake each time (at 100,000 people most of a survey's load time).
    Without it, SQLite scans the graph's records once and probes the incoming keys through
    an automatic index. Other databases get the column as it is."""

    type = String()
    inherit_cache = True


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


@compiles(unindexed)
def _unindexed(element: unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


def _given(record: Any, keys: Any) -> Any:
    """The record's name key (surname|given|patronymic) holds the incoming given name."""
    return given_part(record.c.name_key) == keys.c.given_key


def _in_region(record: Any, keys: Any) -> Any:
    return record.c.mahalla_code.like(keys.c.region + "%")


def _surname(record: Any, keys: Any) -> Any:
    return record.c.surname_key == keys.c.surname_key


def _initial(record: Any, initial: Any) -> Any:
    return record.c.name_key.like("%|" + initial + "%")


FAMILIES: Final[dict[Family, list[tuple[tuple[str, ...], Lookup]]]] = {
    Family(frozenset({"pinfl"})): [(("pinfl",), lambda r, k: r.c.pinfl == k.c.pinfl)],
    Family(frozenset({"passport"})): [
        (("passport",), lambda r, k: r.c.passport_key == k.c.passport)
    ],
    Family(frozenset({"phone"})): [(("phone",), lambda r, k: r.c.phone_key == k.c.phone)],
    Family(frozenset({"tin"})): [(("tin",), lambda r, k: r.c.tin == k.c.tin)],
    # Hashed on the PINFL's first seven digits: a range on the PINFL index was planned as a
    # merge join on the surname, walking every record of a common root.
    Family(frozenset({"surname_key", "pinfl_head"})): [
        (
            ("surname_key", "pinfl_head"),
            lambda r, k: and_(
                unindexed(r.c.surname_key) == k.c.surname_key,
                func.substr(r.c.pinfl, 1, 7) == k.c.pinfl_head,
            ),
        )
    ],
    Family(frozenset({"surname_key", "pinfl_tail"})): [
        (
            ("surname_key", "pinfl_tail"),
            lambda r, k: and_(
                unindexed(r.c.surname_key) == k.c.surname_key,
                func.substr(r.c.pinfl, 8, 7) == k.c.pinfl_tail,
            ),
        )
    ],
    Family(frozenset({"surname_key", "birth_any"})): [
        (
            ("surname_key", "birth_on"),
            lambda r, k: and_(_surname(r, k), r.c.birth_on == k.c.birth_on),
        ),
        (("surname_key", "born_ddmmyy"), lambda r, k: and_(_surname(r, k), _undated(r, k))),
    ],
    Family(frozenset({"given_key", "birth_any", "region"})): [
        (
            ("given_key", "birth_on", "region"),
            lambda r, k: and_(r.c.birth_on == k.c.birth_on, _given(r, k), _in_region(r, k)),
        ),
        (
            ("given_key", "born_ddmmyy", "region"),
            lambda r, k: and_(_undated(r, k), _given(r, k), _in_region(r, k)),
        ),
    ],
    Family(frozenset({"surname_key", "given_key", "mahalla_code"})): [
        (
            ("mahalla_code", "surname_key", "given_key"),
            lambda r, k: and_(r.c.mahalla_code == k.c.mahalla_code, _surname(r, k), _given(r, k)),
        )
    ],
    # Surname root, initial and mahalla only where one side has no birth date at all.
    Family(frozenset({"surname_key", "given_initial", "mahalla_code"}), missing="birth_any"): [
        (
            ("mahalla_code", "surname_key", "undated_initial"),
            lambda r, k: and_(
                r.c.mahalla_code == k.c.mahalla_code,
                _surname(r, k),
                _initial(r, k.c.undated_initial),
            ),
        ),
        (
            ("mahalla_code", "surname_key", "given_initial"),
            lambda r, k: and_(
                r.c.mahalla_code == k.c.mahalla_code,
                _surname(r, k),
                r.c.birth_on.is_(None),
                _initial(r, k.c.given_initial),
            ),
        ),
    ],
}
"""Per family of blocking rules (`blocking.Family`): the lookups (incoming key columns,
join condition) that find every graph record such a rule could pair with an incoming
mention. A record whose own birth date is missing is blocked on the date its PINFL encodes
(`birth_any`); where it has neither, its `birth_on` is null too."""
