"""A PostgreSQL server sized for national loads, beside the machine's own, for bench_scale.

This machine's server runs with PostgreSQL's out-of-the-box memory (`shared_buffers`
128 MB, `max_wal_size` 1 GB) and without autovacuum. A region of 1,000,000 people writes
about 3 GB of rows and indexes whose unique keys (hub ids, PINFLs) are spread evenly, so
there its index pages leave memory once a region is loaded (11.7% of the hub-id index's
reads missed the buffers) and checkpoints are forced by WAL volume (78 requested, none by
time, in one 2-region run). A server meant for the whole country is not run that way; this
one is sized as one would be on this machine (24 GB, two region runs of about 4 GB each
beside it): a quarter of the memory for shared buffers, checkpoints by time, autovacuum on.
Measured with it (README, "An estimate for the whole country"): the misses fall to 0.25%
and no checkpoint is forced, a first region's survey load takes 239 s instead of 268 s,
but a second region still loads slower than the first, so the server's memory is not why.

    python sized_postgres.py start [--folder F] [--port 5433]   # prints the URL to use:
    HUB_BENCH_POSTGRES_URL=<url> python bench_scale.py ...
    python sized_postgres.py stop [--folder F]

Runs the machine's PostgreSQL programs (`pg_config --bindir`, else the Debian folder of
the server's major version), as the `postgres` user when started as root. The folder is
kept between runs (delete it to start afresh); the server trusts local connections only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "shared_buffers": "4GB",
    "effective_cache_size": "12GB",
    "maintenance_work_mem": "1GB",
    "work_mem": "32MB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "max_connections": "200",
}
"""Written to the new server's postgresql.conf (everything else as initdb leaves it,
autovacuum on)."""

DEFAULT_FOLDER = Path(tempfile.gettempdir()) / "hub-sized-postgres"


def _bindir() -> Path:
    if pg_config := shutil.which("pg_config"):
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if (Path(found.stdout.strip()) / "initdb").exists():
            return Path(found.stdout.strip())
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        sys.exit("sized_postgres: no PostgreSQL programs found (pg_config, /usr/lib/postgresql)")
    return versions[-1].parent


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        sys.exit("sized_postgres: running as root without runuser to start PostgreSQL as postgres")
    return [runuser, "-u", "postgres", "--"]


def _owned(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres")


def start(folder: Path, port: int) -> str:
    data = folder / "data"
    bindir, run_as = _bindir(), _run_as()
    if not (data / "PG_VERSION").exists():
        _owned(folder)
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
        subprocess.run([*run_as, *initdb, "-E", "UTF8", "--locale=C.UTF-8"], check=True)
        lines = [f"{name} = {value}" for name, value in {**SETTINGS, "port": str(port)}.items()]
        with (data / "postgresql.conf").open("a") as conf:
            conf.write("\n# sized_postgres.py\n" + "\n".join(lines) + "\n")
    log = folder / "server.log"
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "start"]
    subprocess.run([*run_as, *pg_ctl], check=True, stdout=subprocess.DEVNULL)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def stop(folder: Path) -> None:
    pg_ctl = [str(_bindir() / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "stop"]
    subprocess.run([*_run_as(), *pg_ctl], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--port", type=int, default=5433)
    args = parser.parse_args()
    if args.action == "start":
        sys.stdout.write(start(args.folder, args.port) + "\n")
    else:
        stop(args.folder)


if __name__ == "__main__":
    main()
