"""Golden person rows for a resolution: ids kept, minted, merged (redirected) or split.

`hub.identity.golden_ids` decides; this module reads what it needs from the graph (the
anchored persons' ages, the ids already used) and writes the outcome: new person rows,
redirect rows (kept flat: redirects to a merged id follow it to the survivor), split rows,
and the removal of every person left without a source record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import polars as pl
from sqlalchemy import Select, Table, delete, exists, select, update
from sqlalchemy.orm import Session

from hub.graph.bulk import upsert_rows
from hub.graph.models import Person, PersonRedirect, PersonSplit, SourceRecord
from hub.graph.scratch import keys_of
from hub.identity.golden_ids import IdPlan, first_hub_id, homeless_firsts, plan_hub_ids

_PERSONS: Table = Person.__table__  # type: ignore[assignment]


class UsedHubIds:
    """Whether a hub id names a person or a redirect, read in bulk for the likely ids."""

    def __init__(self, session: Session, likely: Iterable[str]) -> None:
        self._session = session
        self._checked: dict[str, bool] = {}
        candidates = sorted(set(likely))
        with keys_of(session, _PERSONS.c.hub_id, candidates) as keys:
            used = set(self._used(select(keys.c.hub_id)))
        self._checked.update({c: c in used for c in candidates})

    def _used(self, hub_ids: Select[tuple[str]] | Sequence[str]) -> list[str]:
        persons = select(Person.hub_id).where(Person.hub_id.in_(hub_ids))
        redirects = select(PersonRedirect.from_hub_id).where(
            PersonRedirect.from_hub_id.in_(hub_ids)
        )
        return [*self._session.scalars(persons), *self._session.scalars(redirects)]

    def __call__(self, hub_id: str) -> bool:
        if hub_id not in self._checked:
            self._checked[hub_id] = bool(self._used([hub_id]))
        return self._checked[hub_id]


def _person_ids(assigned: pl.DataFrame) -> dict[str, int]:
    """The anchored hub ids of `assigned` and their persons' internal ids (their ages)."""
    anchors = assigned.select("person_hub_id", "person_id").drop_nulls().unique("person_hub_id")
    return dict(anchors.iter_rows())


def plan_identities(
    session: Session,
    assigned: pl.DataFrame,
    split_reasons: dict[int, str],
    ages: dict[str, int] | None = None,
) -> IdPlan:
    """The id plan for `assigned` (mention_id, cluster, person_hub_id, person_id); `ages`
    (hub id -> rank, smaller = older) defaults to the persons' internal ids."""
    likely = [first_hub_id(m) for m in homeless_firsts(assigned)["mention_id"]]
    used = UsedHubIds(session, likely)
    return plan_hub_ids(
        assigned, _person_ids(assigned) if ages is None else ages, used, split_reasons
    )


def write_identities(session: Session, plan: IdPlan, now: datetime) -> None:
    """Record the plan's merges (redirects) and splits. Its new persons are inserted with
    their attributes by `pipelines.linking.golden`."""
    _write_redirects(session, plan, now)
    if plan.splits:
        session.add_all(
            PersonSplit(hub_id=s.hub_id, from_hub_id=s.from_hub_id, reason=s.reason, split_at=now)
            for s in plan.splits
        )


def _write_redirects(session: Session, plan: IdPlan, now: datetime) -> None:
    for redirect in plan.redirects:
        session.execute(
            update(PersonRedirect)
            .where(PersonRedirect.to_hub_id == redirect.from_hub_id)
            .values(to_hub_id=redirect.to_hub_id)
        )
    if plan.redirects:
        rows = [
            {
                "from_hub_id": r.from_hub_id,
                "to_hub_id": r.to_hub_id,
                "reason": r.reason,
                "merged_at": now,
            }
            for r in plan.redirects
        ]
        upsert_rows(session, PersonRedirect, rows, key=["from_hub_id"])


def drop_orphans(session: Session, person_ids: Iterable[int]) -> int:
    """Delete those of `person_ids` no source record belongs to any more."""
    has_record = exists().where(SourceRecord.person_id == Person.id)
    with keys_of(session, _PERSONS.c.id, list(person_ids)) as keys:
        result = session.execute(
            delete(Person).where(Person.id.in_(select(keys.c.id)), ~has_record),
            execution_options={"synchronize_session": False},
        )
    return result.rowcount or 0  # type: ignore[attr-defined]
