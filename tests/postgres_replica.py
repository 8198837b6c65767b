"""A streaming replica of the test PostgreSQL server, for the tests of reads on a replica.

`start_replica(admin_url)` makes a second PostgreSQL instance on this machine with
`pg_basebackup` from the server at `admin_url` (the suite's `HUB_TEST_POSTGRES_URL`),
streaming from it through a replication slot of its own, on a free port of 127.0.0.1.
The binaries are the ones matching the server's major version, found at run time
(`HUB_TEST_PG_BINDIR`, else `pg_config --bindir`, else Debian's
`/usr/lib/postgresql/<major>/bin`). PostgreSQL refuses to run as root: run as root, every
command runs as the `postgres` user (`runuser`) on a data folder it owns.

What the primary needs is checked, and its `pg_hba.conf` completed where it must be, by
`tests.postgres_replica_primary`.

`StreamingReplica.remove` stops the instance, deletes its folder and drops its slot (a
slot left behind would make the primary keep WAL for ever); what a killed session could
not remove is removed by the next one (`tests.postgres_replica_leftovers`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, TextClause, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from tests.postgres_replica_leftovers import folder_prefix, remove_abandoned, slot_prefix
from tests.postgres_replica_primary import (
    AT_LEAST_PRIMARY,
    ReplicaUnavailableError,
    allow_replication,
    primary_settings,
)


@dataclass
class StreamingReplica:
    """A running replica: its port and data folder, and the primary it streams from."""

    primary_url: URL
    port: int
    data_dir: Path
    bindir: Path
    slot: str
    run_as: list[str] = field(default_factory=list)

    def url(self, database: str) -> str:
        """A `postgresql+psycopg` URL of `database` on the replica."""
        url = self.primary_url.set(host="127.0.0.1", port=self.port, database=database)
        return url.render_as_string(hide_password=False)

    def engine(self, database: str = "postgres") -> Engine:
        return create_engine(self.url(database), isolation_level="AUTOCOMMIT")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast")

    def start(self) -> None:
        self._pg_ctl("start", "-l", str(self.data_dir / "server.log"))

    def execute(self, statement: str, database: str = "postgres") -> object:
        """Run `statement` on the replica; its first column of its first row (None when
        it returns no rows)."""
        engine = self.engine(database)
        try:
            with engine.connect() as connection:
                result = connection.execute(text(statement))
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()

    def remove(self) -> None:
        """Stop the instance (if running), delete its data folder and drop its slot."""
        if (self.data_dir / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.data_dir, ignore_errors=True)
        admin = create_engine(self.primary_url, isolation_level="AUTOCOMMIT")
        drop = text(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
            "WHERE slot_name = :slot AND NOT active"
        )
        try:
            # The primary's WAL sender ends a moment after the replica stopped.
            wait_until(lambda: _slot_gone(admin, drop, self.slot), timeout=30)
        finally:
            admin.dispose()

    def _pg_ctl(self, *args: str) -> None:
        command = [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.data_dir)]
        _run([*command, "-w", "-t", "60", *args])


def start_replica(admin_url: str) -> StreamingReplica:
    """A replica of the server at `admin_url`, running and streaming (see the module)."""
    primary = make_url(admin_url).set(drivername="postgresql+psycopg")
    admin = create_engine(primary, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            settings = primary_settings(connection)
            allow_replication(connection, has_password=primary.password is not None)
    finally:
        admin.dispose()
    run_as, owner = _server_user()
    bindir = _bindir(int(settings["server_version_num"]) // 10000)
    remove_abandoned(primary, bindir, run_as)
    data_dir = Path(tempfile.mkdtemp(prefix=folder_prefix()))
    os.chown(data_dir, owner.pw_uid, owner.pw_gid)
    data_dir.chmod(0o700)
    replica = StreamingReplica(
        primary_url=primary,
        port=_free_port(),
        data_dir=data_dir,
        bindir=bindir,
        slot=f"{slot_prefix()}{uuid.uuid4().hex[:8]}",
        run_as=run_as,
    )
    try:
        _reserve_slot(replica)
        _base_backup(replica)
        _configure(replica, settings)
        replica.start()
        wait_until(lambda: _streaming(replica), timeout=60)
    except BaseException:
        replica.remove()
        raise
    return replica


def wait_until(predicate: Callable[[], bool], *, timeout: float, every: float = 0.1) -> None:
    """Return once `predicate()` holds; raise TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{getattr(predicate, '__name__', predicate)} after {timeout} s")
        time.sleep(every)


def _server_user() -> tuple[list[str], pwd.struct_passwd]:
    """The command prefix that runs PostgreSQL's programs, and the user they run as."""
    if os.geteuid() != 0:
        return [], pwd.getpwuid(os.geteuid())
    runuser = shutil.which("runuser")
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        raise ReplicaUnavailableError("Running as root, and there is no postgres user.") from None
    if runuser is None:
        raise ReplicaUnavailableError("Running as root, and there is no runuser to leave root.")
    return [runuser, "-u", "postgres", "--"], owner


def _bindir(major: int) -> Path:
    """The folder of PostgreSQL `major`'s programs (see the module for where it looks)."""
    candidates = [Path(p) for p in [os.environ.get("HUB_TEST_PG_BINDIR")] if p]
    if pg_config := shutil.which("pg_config"):
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(found.stdout.strip()))
    candidates.append(Path("/usr/lib/postgresql") / str(major) / "bin")
    for bindir in candidates:
        postgres = bindir / "postgres"
        if not postgres.exists():
            continue
        version = subprocess.run([postgres, "--version"], capture_output=True, text=True)
        if version.stdout.split()[-1].split(".")[0] == str(major):
            return bindir
    raise ReplicaUnavailableError(
        f"No PostgreSQL {major} programs (pg_basebackup, pg_ctl) among {candidates}; "
        "set HUB_TEST_PG_BINDIR."
    )


def _reserve_slot(replica: StreamingReplica) -> None:
    """The replica's slot, made on the primary before the base backup and holding WAL from
    that moment. With `pg_basebackup --create-slot` the slot was made by the backup's WAL
    stream after the backup had begun, so when other tests wrote enough WAL meanwhile the
    primary recycled the segment the backup started in ("requested WAL segment ... has
    already been removed")."""
    admin = create_engine(replica.primary_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_create_physical_replication_slot(:slot, true)"),
                {"slot": replica.slot},
            )
    finally:
        admin.dispose()


def _base_backup(replica: StreamingReplica) -> None:
    primary = replica.primary_url
    command = [
        *replica.run_as,
        str(replica.bindir / "pg_basebackup"),
        f"--host={primary.host or '127.0.0.1'}",
        f"--port={primary.port or 5432}",
        f"--username={primary.username or 'postgres'}",
        f"--pgdata={replica.data_dir}",
        "--wal-method=stream",
        "--checkpoint=fast",
        f"--slot={replica.slot}",
        "--no-sync",
    ]
    env = {**os.environ, **({"PGPASSWORD": primary.password} if primary.password else {})}
    # A rule added by `_allow_replication` counts once the server has reloaded.
    for attempt in range(20):
        try:
            _run(command, env=env)
            return
        except ReplicaUnavailableError as exc:
            if "pg_hba.conf" not in str(exc) or attempt == 19:
                raise
            time.sleep(0.25)


def _configure(replica: StreamingReplica, settings: dict[str, str]) -> None:
    """The replica's own configuration, replacing whatever was copied from the primary
    (whose files may name its port, its folders and settings made for its size)."""
    primary = replica.primary_url
    conninfo = " ".join(
        f"{key}={value}"
        for key, value in (
            ("host", primary.host or "127.0.0.1"),
            ("port", primary.port or 5432),
            ("user", primary.username or "postgres"),
            ("password", primary.password),
            ("application_name", replica.slot),
        )
        if value is not None
    )
    lines = [
        f"port = {replica.port}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{replica.data_dir}'",
        "hot_standby = on",
        f"primary_conninfo = '{conninfo}'",
        f"primary_slot_name = '{replica.slot}'",
        "wal_receiver_status_interval = 1s",
        "shared_buffers = 32MB",
        "fsync = off",
        *(f"{name} = {settings[name]}" for name in AT_LEAST_PRIMARY),
    ]
    files = {
        "postgresql.conf": "\n".join(lines) + "\n",
        "postgresql.auto.conf": "",
        "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        "pg_ident.conf": "",
        "standby.signal": "",
    }
    owner = replica.data_dir.stat()
    for name, content in files.items():
        path = replica.data_dir / name
        path.write_text(content)
        os.chown(path, owner.st_uid, owner.st_gid)


def _streaming(replica: StreamingReplica) -> bool:
    try:
        return replica.execute("SELECT status FROM pg_stat_wal_receiver") == "streaming"
    except OperationalError:
        return False


def _slot_gone(admin: Engine, drop: TextClause, slot: str) -> bool:
    with admin.connect() as connection:
        connection.execute(drop, {"slot": slot})
        left = "SELECT count(*) FROM pg_replication_slots WHERE slot_name = :slot"
        return connection.execute(text(left), {"slot": slot}).scalar() == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    if done.returncode != 0:
        raise ReplicaUnavailableError(
            f"{' '.join(command)} failed:\n{done.stderr.strip() or done.stdout.strip()}"
        )
