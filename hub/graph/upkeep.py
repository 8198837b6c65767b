"""Planner statistics and dead rows kept up by the loads themselves (PostgreSQL).

A load writes a delivery's rows in one transaction, then the next load plans its
statements on what PostgreSQL believes of the tables. Left to autovacuum, that belief is
refreshed only when autovacuum gets to it: asynchronously, after the next loads have
already been planned, and on a server where it is turned off (as on the machines this
hub is developed on) never. A region's loads then ran, at 1,000,000 people a region, on
statistics gathered while the first region was being loaded.

So every load ends with the upkeep autovacuum would do, at once and by the same rule
(its default thresholds): a table whose rows changed by more than
`ANALYZE_BASE + ANALYZE_SHARE x rows` since it was last analysed is analysed; one holding
more than `VACUUM_BASE + VACUUM_SHARE x rows` dead row versions (updates and deletes
leave them) is vacuumed too. The changes counted are the larger of PostgreSQL's own count
since the last analysis (`pg_stat_user_tables`, which can lag a few seconds behind other
connections' commits) and the count of the load's own transaction, read just before it
commits (`pg_stat_xact_user_tables`, exact), so a load's own rows are never missed.

`SKIP_LOCKED`: when another load (a region running beside this one) is already analysing
or vacuuming a table, this one does not wait for it. Upkeep is never needed for a load to
be right, only to stay fast, so it runs after the commit and an error in it is logged,
not raised. SQLite keeps no such statistics unless asked, and the hub does not ask.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

ANALYZE_BASE = 50
ANALYZE_SHARE = 0.1
VACUUM_BASE = 50
VACUUM_SHARE = 0.2
"""autovacuum's defaults (`autovacuum_analyze_threshold`, `..._scale_factor`, and the same
for vacuum)."""


@dataclass(frozen=True)
class Changes:
    """Rows a transaction inserted, updated or deleted per table (`changed`), and of those
    the ones that left dead row versions behind (`dead`: updates and deletes)."""

    changed: Mapping[str, int] = field(default_factory=dict)
    dead: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Upkeep:
    """What `keep_up` did: the tables analysed and vacuumed, and how long it took."""

    analysed: list[str] = field(default_factory=list)
    vacuumed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def own_changes(connection: Connection, tables: Collection[str]) -> Changes:
    """This transaction's changes to `tables` so far (PostgreSQL; empty elsewhere)."""
    if connection.dialect.name != "postgresql":
        return Changes()
    rows = connection.execute(
        text(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del, n_tup_upd + n_tup_del "
            "FROM pg_stat_xact_user_tables WHERE schemaname = current_schema()"
        )
    ).all()
    kept = [row for row in rows if row[0] in tables and row[1] > 0]
    return Changes({r[0]: int(r[1]) for r in kept}, {r[0]: int(r[2]) for r in kept})


def due(connection: Connection, changes: Changes) -> tuple[list[str], list[str]]:
    """(tables to vacuum and analyse, tables only to analyse) after `changes`, by
    autovacuum's rule on the larger of its own counts and the transaction's."""
    if not changes.changed:
        return [], []
    rows = connection.execute(
        text(
            "SELECT s.relname, s.n_mod_since_analyze, s.n_dead_tup, c.reltuples "
            "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
            "WHERE s.schemaname = current_schema()"
        )
    ).all()
    vacuum, analyze = [], []
    for name, modified, dead, reltuples in rows:
        if name not in changes.changed:
            continue
        known = max(float(reltuples), 0.0)  # -1: never analysed
        if max(dead, changes.dead.get(name, 0)) > VACUUM_BASE + VACUUM_SHARE * known:
            vacuum.append(name)
        elif max(modified, changes.changed[name]) > ANALYZE_BASE + ANALYZE_SHARE * known:
            analyze.append(name)
    return sorted(vacuum), sorted(analyze)


def keep_up(engine: Engine, changes: Changes) -> Upkeep:
    """Analyse (and where due vacuum) the tables `changes` made due; see the module
    docstring. Runs outside any transaction (VACUUM cannot run in one)."""
    done = Upkeep()
    if engine.dialect.name != "postgresql" or not changes.changed:
        return done
    began = time.perf_counter()
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            vacuum, analyze = due(connection, changes)
            for name in vacuum:
                connection.execute(text(f'VACUUM (ANALYZE, SKIP_LOCKED) "{name}"'))
            for name in analyze:
                connection.execute(text(f'ANALYZE (SKIP_LOCKED) "{name}"'))
    except SQLAlchemyError as error:
        log.warning("upkeep after a load failed (the load itself is committed): %s", error)
        return done
    done.vacuumed, done.analysed = vacuum, analyze
    done.seconds = time.perf_counter() - began
    if vacuum or analyze:
        log.info(
            "upkeep: vacuumed %s, analysed %s in %.1f s",
            ", ".join(vacuum) or "none",
            ", ".join(analyze) or "none",
            done.seconds,
        )
    return done
