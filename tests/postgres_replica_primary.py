"""What a streaming replica needs of the test server (`tests.postgres_replica`), checked
or arranged through SQL.

- `wal_level` `replica` or `logical` and `max_wal_senders` > 0: both need a server
  restart, which SQL cannot do, so `ReplicaUnavailableError` names what to change;
- a `pg_hba.conf` rule for replication connections from this machine (`all` does not
  cover them). When the server has no replication rule at all, one is added: the file is
  read with `pg_read_file`, written back with one more line by `lo_export` (server-side,
  as the server's own user) and the configuration reloaded. The line copies the trust
  given to ordinary connections (`trust` for a URL without a password, else `md5`, which
  accepts SCRAM passwords too) for this client's address only, and it is left in place:
  a test session running at the same time may be using it.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# The settings a hot standby must have at least as high as its primary's.
AT_LEAST_PRIMARY = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class ReplicaUnavailableError(RuntimeError):
    """The replica cannot be made on this machine; the message says why."""


def primary_settings(connection: Connection) -> dict[str, str]:
    """The server's version and the settings a replica copies; refuses a server that
    cannot stream (see the module)."""
    names = ("server_version_num", "wal_level", *AT_LEAST_PRIMARY)
    settings = {name: str(connection.execute(text(f"SHOW {name}")).scalar()) for name in names}
    if settings["wal_level"] not in {"replica", "logical"}:
        raise ReplicaUnavailableError(
            f"The primary's wal_level is {settings['wal_level']!r}: a replica needs 'replica' "
            "(ALTER SYSTEM SET wal_level = 'replica', then restart the server)."
        )
    if int(settings["max_wal_senders"]) == 0:
        raise ReplicaUnavailableError(
            "The primary's max_wal_senders is 0: a replica needs at least 1 "
            "(ALTER SYSTEM SET max_wal_senders = 10, then restart the server)."
        )
    return settings


def allow_replication(connection: Connection, *, has_password: bool) -> None:
    """Add a pg_hba.conf rule for replication connections from this client when the
    server has no replication rule at all (see the module)."""
    execute = connection.execute
    rules = text("SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)")
    if execute(rules).scalar():
        return
    address = execute(text("SELECT host(inet_client_addr())")).scalar()
    if address is None:
        raise ReplicaUnavailableError("The test connects through a Unix socket: use 127.0.0.1.")
    mask = 32 if ":" not in address else 128
    method = "md5" if has_password else "trust"
    line = f"host replication all {address}/{mask} {method}"
    content = text(
        "SELECT lo_from_bytea(0, convert_to(rtrim(pg_read_file(current_setting('hba_file')),"
        " E'\\n') || E'\\n# Added by the hub tests (tests/postgres_replica.py)\\n' || :line"
        " || E'\\n', 'UTF8'))"
    )
    oid = execute(content, {"line": line}).scalar()
    try:
        execute(text("SELECT lo_export(:oid, current_setting('hba_file'))"), {"oid": oid})
    finally:
        execute(text("SELECT lo_unlink(:oid)"), {"oid": oid})
    if execute(text("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL")).scalar():
        raise ReplicaUnavailableError(f"pg_hba.conf has errors after adding {line!r}.")
    execute(text("SELECT pg_reload_conf()"))
