"""Settings of the API server, read from the environment once at start-up.

| variable | default | meaning |
|---|---|---|
| `HUB_API_GRAPHIQL` | `false` | serve the GraphiQL IDE on `GET /graphql` |
| `HUB_API_POOL_SIZE` | `10` | database connections kept per server process |
| `HUB_API_MAX_OVERFLOW` | `10` | extra connections a process may open under load |
| `HUB_API_TUNE_GC` | `true` | freeze the start-up heap out of GC scans (app.py) |
| `HUB_API_KEY_CACHE_SECONDS` | `5` | a verified key is trusted this long without a lookup |
| `HUB_API_KEY_PEPPER` | (data folder file) | the secret keys are hashed with |
| `HUB_API_SUPPRESSION_THRESHOLD` | `10` | counts the public sees below this are null (SUPPRESSED) |
| `HUB_API_AUDIT_LINGER_MS` | `200` | the audit writer waits this long for more rows per batch |
| `HUB_API_AUDIT_SYNCHRONOUS_COMMIT` | `true` | `false`: audit commits do not wait for the disk |
| `HUB_API_RANDOM_PAGE_COST` | `1.1` | PostgreSQL `random_page_cost` of the API's read sessions |

The API's sessions plan with `random_page_cost = 1.1`, the value PostgreSQL's documentation
suggests when the data is cached or on SSD, instead of the server's default 4 (a spinning
disk's random reads): the API reads small sets of rows by key, from tables and indexes the
server keeps in memory. With 4, PostgreSQL scanned a small table whole once per row of the
outer query rather than read its row by an index: for a district's 16 mahallas it scanned
all 256 assistants 16 times, 0.85 ms of server CPU per statement against 0.67 ms with 1.1
(`benchmarks/bench_api_sql.py`, 200,000 persons). Set it to the server's own value to
plan as the server's other clients do.

The audit log (`hub.api.audit_writer`) is written by one task per process in batches: a
row lands at most `HUB_API_AUDIT_LINGER_MS` (plus one write) after its response was sent;
a longer wait makes fewer, larger transactions (less CPU per row). With
`HUB_API_AUDIT_SYNCHRONOUS_COMMIT=false` the audit transaction alone commits without
waiting for its WAL to reach the disk (`SET LOCAL synchronous_commit = off`): a PostgreSQL
crash may then lose the last few hundred milliseconds of audit rows, whose data was already
sent; the chain stays intact (the lost rows are the newest). The default keeps every commit
durable.

A revoked key is refused within `HUB_API_KEY_CACHE_SECONDS` (`hub.api.key_authenticator`);
the pepper is described in `hub.access.pepper`.

Reads from a replica (`HUB_DATABASE_READ_URL`, `HUB_READ_*`): `hub.api.read_settings`.

Limits (`hub.api.limits.settings`, read by `create_app`; every one applies before any SQL):

| variable | default | meaning |
|---|---|---|
| `HUB_API_MAX_REQUEST_BYTES` | `262144` | HTTP body (document + variables); larger: HTTP 413 |
| `HUB_API_MAX_DOCUMENT_BYTES` | `65536` | GraphQL document, checked before parsing |
| `HUB_API_MAX_TOKENS` | `2000` | lexical tokens of a document (the parser stops there) |
| `HUB_API_MAX_DEPTH` | `12` | nesting of fields (introspection fields not counted) |
| `HUB_API_MAX_ALIASES` | `30` | aliased fields in a document, fragments expanded |
| `HUB_API_MAX_FIELDS` | `2000` | fields the cost walk visits, fragments expanded |
| `HUB_API_MAX_LIST_LENGTH` | `100` | items of any list argument or variable (`nodes(ids:)`) |
| `HUB_API_MAX_STRING_LENGTH` | `1000` | characters of any string argument or variable |
| `HUB_API_MAX_INPUT_DEPTH` | `8` | nesting of lists/objects in variables and arguments |
| `HUB_API_MAX_RESPONSE_BYTES` | `8388608` | encoded response; larger: RESPONSE_TOO_LARGE |
| `HUB_API_DOCUMENT_CACHE_BYTES` | `16777216` | parsed, validated documents kept (bytes) |
| `HUB_API_STATEMENT_TIMEOUT_MS` | `5000` | PostgreSQL `statement_timeout` of the API |
| `HUB_API_PROCESS_COST_BUDGET` | `50000` | cost of the requests one process runs at once |
| `HUB_API_ADMISSION_WAIT_MS` | `1000` | how long a request waits for budget before SERVER_BUSY |
| `HUB_API_COST_CEILING_<ROLE>` | 2000, 5000, 10000 | one request (public, agency, engineer) |
| `HUB_API_COST_PER_MINUTE_<ROLE>` | 60000, 300000, 600000 | per key (0: no limit) |
| `HUB_API_INTROSPECTION` | `agency,engineer` | roles that may query `__schema`/`__type` |
| `HUB_REDIS_URL` | unset | token buckets in Redis (shared by processes); unset: in memory |
| `HUB_API_REDIS_PREFIX` | `hub:rate:` | prefix of the buckets' Redis keys |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from hub.config import ConfigurationError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# The audit writer's default wait for more rows per batch (`hub.api.audit_writer`).
AUDIT_LINGER_MS = 200


@dataclass(frozen=True, slots=True)
class ApiSettings:
    graphiql: bool = False
    pool_size: int = 10
    max_overflow: int = 10
    tune_gc: bool = True
    key_cache_seconds: int = 5
    suppression_threshold: int = 10
    audit_linger_ms: int = AUDIT_LINGER_MS
    audit_synchronous_commit: bool = True
    random_page_cost: float = 1.1


def load_api_settings(environ: Mapping[str, str] | None = None) -> ApiSettings:
    """Read the `HUB_API_*` variables; raise ConfigurationError naming a bad one."""
    env = os.environ if environ is None else environ
    return ApiSettings(
        graphiql=_flag(env, "HUB_API_GRAPHIQL", default=False),
        pool_size=_count(env, "HUB_API_POOL_SIZE", default=10),
        max_overflow=_count(env, "HUB_API_MAX_OVERFLOW", default=10),
        tune_gc=_flag(env, "HUB_API_TUNE_GC", default=True),
        key_cache_seconds=_count(env, "HUB_API_KEY_CACHE_SECONDS", default=5),
        suppression_threshold=_count(env, "HUB_API_SUPPRESSION_THRESHOLD", default=10),
        audit_linger_ms=_count(env, "HUB_API_AUDIT_LINGER_MS", default=AUDIT_LINGER_MS),
        audit_synchronous_commit=_flag(env, "HUB_API_AUDIT_SYNCHRONOUS_COMMIT", default=True),
        random_page_cost=_cost(env, "HUB_API_RANDOM_PAGE_COST", default=1.1),
    )


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} has value {raw!r}. Not a valid bool.")


def _count(env: Mapping[str, str], name: str, *, default: int) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} has value {raw!r}. Not an integer.") from None
    if value < 0:
        raise ConfigurationError(f"{name} has value {raw!r}. Must not be negative.")
    return value


def _cost(env: Mapping[str, str], name: str, *, default: float) -> float:
    """A planner cost: a finite number above zero (PostgreSQL refuses zero and below)."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} has value {raw!r}. Not a number.") from None
    if not 0 < value < float("inf"):
        raise ConfigurationError(f"{name} has value {raw!r}. Must be a number above zero.")
    return value


# Read by the other settings modules of the API (`hub.api.limits.settings`).
env_flag = _flag
env_count = _count
