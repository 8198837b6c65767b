"""Clearing away what a killed test session left of its replica (`tests.postgres_replica`).

A session killed before its fixture's finalizer ran leaves its replica running (pg_ctl
starts it detached) and, worse, its replication slot on the primary: an inactive slot
makes the primary keep every WAL segment from then on. Both carry the id of the process
that made them (folder `hub-replica-<pid>-…`, slot `i19_replica_<pid>_…`); before a new
replica is made, those whose process is gone are stopped, deleted and dropped. Replicas of
sessions still running are left alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import URL, Connection, create_engine, text

FOLDER_PREFIX = "hub-replica-"
SLOT_PREFIX = "i19_replica_"


def folder_prefix() -> str:
    return f"{FOLDER_PREFIX}{os.getpid()}-"


def slot_prefix() -> str:
    return f"{SLOT_PREFIX}{os.getpid()}_"


def remove_abandoned(primary: URL, bindir: Path, run_as: list[str]) -> list[str]:
    """Stop and delete abandoned replicas, drop abandoned slots; what was removed."""
    removed: list[str] = []
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        if _alive(_owner(folder.name.removeprefix(FOLDER_PREFIX), "-")):
            continue
        if (folder / "postmaster.pid").exists():
            stop = [*run_as, str(bindir / "pg_ctl"), "-D", str(folder), "-m", "immediate", "stop"]
            subprocess.run(stop, capture_output=True, timeout=120, check=False)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(str(folder))
    admin = create_engine(primary, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            removed += _drop_abandoned_slots(connection)
    finally:
        admin.dispose()
    return removed


def _drop_abandoned_slots(connection: Connection) -> list[str]:
    """Drop the slots whose process is gone; a WAL sender still serving one (its replica
    was stopped a moment ago, or is one nobody stopped) is ended first."""
    listed = text(
        "SELECT slot_name, active_pid FROM pg_replication_slots WHERE slot_name LIKE :prefix"
    )
    prefix = SLOT_PREFIX.replace("_", r"\_") + "%"
    dropped: list[str] = []
    for _ in range(50):
        abandoned = [
            (slot, pid)
            for slot, pid in connection.execute(listed, {"prefix": prefix})
            if not _alive(_owner(slot.removeprefix(SLOT_PREFIX), "_"))
        ]
        if not abandoned:
            break
        for slot, pid in abandoned:
            if pid is not None:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                continue
            connection.execute(text("SELECT pg_drop_replication_slot(:slot)"), {"slot": slot})
            dropped.append(slot)
        time.sleep(0.1)
    return dropped


def _owner(rest: str, separator: str) -> int | None:
    head = rest.split(separator, 1)[0]
    return int(head) if head.isdigit() else None


def _alive(pid: int | None) -> bool:
    """Whether process `pid` exists (an unreadable name counts as alive: not ours to
    remove)."""
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
