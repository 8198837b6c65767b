"""Golden PINFLs claimed by concurrent linking transactions (region partitions).

A person's PINFL is unique in the graph. Survivorship gives a PINFL to one person only: the
oldest claiming it, and never to a new one when a person outside the delivery already holds
it (`golden._unique_pinfls`, which records the loser as a `pinfl_shared` conflict, for the
country-wide step to merge). That check reads committed persons. Two region partitions
link at the same time (`locks.lock_linking`), each against its own region's records: a
person registered in one region and borrowing in another is founded by both, and the
second region cannot see the first's uncommitted person. Its insert then waits on the
unique index until the first commits, and fails (or, when each inserted a PINFL the other
is inserting, PostgreSQL aborts one of them as a deadlock).

A unique violation means the other transaction has committed, so the claim is decided: the
write is rolled back to a savepoint taken before it, the held PINFLs are read again (now
including the other region's), and the write is redone; after a deadlock the survivor goes
on and this write, redone, waits for it and then sees its PINFLs. Each retry follows
another transaction's claim of one of this delivery's PINFLs, so a bounded number of
attempts is enough; past it the error is raised as it is. SQLite serialises writers: its
write runs once, without a savepoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final, TypeVar

from psycopg.errors import DeadlockDetected, UniqueViolation
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS: Final = 5
"""Writes tried before a clash is raised (each retry follows another transaction's commit)."""
PINFL_CONSTRAINT: Final = "uq_person_pinfl"


def _is_pinfl_clash(error: BaseException) -> bool:
    # COPY runs on the driver's connection (hub.graph.driver_writes): psycopg's own error;
    # an UPDATE through SQLAlchemy: its DBAPIError wrapping it.
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(driver_error, DeadlockDetected):
        # Two loads each waiting on a PINFL the other inserted: PostgreSQL aborts one.
        return True
    diag = getattr(driver_error, "diag", None)
    return (
        isinstance(driver_error, UniqueViolation)
        and getattr(diag, "constraint_name", None) == PINFL_CONSTRAINT
    )


def write_claiming_pinfls(session: Session, write: Callable[[], T]) -> T:
    """Run `write` (which reads the held PINFLs and then writes persons) so that a PINFL
    another transaction committed meanwhile is seen on a retry instead of failing the
    load; see the module docstring."""
    if session.get_bind().dialect.name != "postgresql":
        return write()
    for attempt in range(1, ATTEMPTS + 1):
        savepoint = session.begin_nested()
        try:
            result = write()
        except (DBAPIError, UniqueViolation, DeadlockDetected) as error:
            savepoint.rollback()
            if not _is_pinfl_clash(error) or attempt == ATTEMPTS:
                raise
            log.info(
                "A PINFL this delivery's persons claim was committed by a concurrent load "
                "meanwhile (attempt %d of %d): reading the held PINFLs again",
                attempt,
                ATTEMPTS,
            )
            continue
        savepoint.commit()
        return result
    raise AssertionError("unreachable: the last attempt returns or raises")
