"""`hub keys …` and `hub audit verify`: managing API keys and checking the audit log.

uv run hub keys create --owner tax-committee --role agency --scope personal --scope tax \\
    --region 1703 --expires 90d                 prints the key once
uv run hub keys list                          ids, owners, roles, states (never a secret)
uv run hub keys rotate 0123456789abcdef --grace 1d
uv run hub keys revoke 0123456789abcdef
uv run hub audit verify                       exit 1 naming the first broken row

Keys are hashed with `HUB_API_KEY_PEPPER` (`hub.access.pepper`): run these with the same
value the API servers have.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from hub.api.principal import Role

if TYPE_CHECKING:
    from sqlalchemy import Engine

keys_app = typer.Typer(help="API keys: create, list, rotate, revoke.")
audit_app = typer.Typer(help="The audit log of personal data read through the API.")

_DURATION = re.compile(r"\A([0-9]+)([smhd])\Z")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """`90d`, `12h`, `30m`, `45s` as a timedelta; typer.BadParameter otherwise."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise typer.BadParameter(f"{text!r} is not a duration like 90d, 12h, 30m or 45s.")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def parse_expiry(text: str, now: datetime) -> datetime | None:
    """`never`, a duration from now (`90d`), or an ISO date or time (UTC unless it says)."""
    if text.strip().lower() == "never":
        return None
    if _DURATION.match(text.strip()):
        return now + parse_duration(text)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not 'never', a duration (90d) or an ISO date/time."
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@contextmanager
def _engine() -> Iterator[Engine]:
    from hub.config import load_settings
    from hub.graph.database import create_hub_engine, upgrade_database

    url = load_settings().database_url
    upgrade_database(url)
    engine = create_hub_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _pepper() -> bytes:
    from hub.access.pepper import load_pepper
    from hub.config import load_settings

    return load_pepper(load_settings().data_dir)


@keys_app.command("create")
def create(
    owner: Annotated[str, typer.Option(help="Agency or platform the key is for.")],
    role: Annotated[Role, typer.Option(help="public, agency or engineer.")],
    scope: Annotated[
        list[str] | None, typer.Option(help="personal, tax, employment, land, bank, appeals.")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Limit an agency to a region (4 digits).")
    ] = None,
    district: Annotated[
        str | None, typer.Option(help="Limit an agency to a district (7 digits).")
    ] = None,
    expires: Annotated[
        str, typer.Option(help="'never', a duration (90d, 12h) or an ISO date/time.")
    ] = "365d",
) -> None:
    """Create a key and print it once: the hub keeps only its hash."""
    from hub.access.keys import KeyRequestError, KeySpec, create_key
    from hub.graph.database import create_session_factory

    now = datetime.now(UTC)
    spec = KeySpec(
        owner=owner,
        role=role,
        scopes=frozenset(scope or ()),
        region_code=region,
        district_code=district,
        expires_at=parse_expiry(expires, now),
    )
    pepper = _pepper()
    try:
        with _engine() as engine, create_session_factory(engine)() as session, session.begin():
            text = create_key(session, spec, pepper, now)
    except KeyRequestError as exc:
        typer.echo(f"keys create: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Key {text.key_id} for {spec.owner} ({role.value}); shown this once:")
    typer.echo(str(text))


@keys_app.command("list")
def list_command() -> None:
    """Every key: id, owner, role, scopes, territory, state, expiry, last use."""
    from hub.access.keys import key_state, list_keys
    from hub.graph.database import create_session_factory

    now = datetime.now(UTC)
    with _engine() as engine, create_session_factory(engine)() as session:
        rows = list_keys(session)
    if not rows:
        typer.echo("No API key exists (`hub keys create --help`).")
    for row in rows:
        territory = row.district_code or row.region_code or "-"
        fields = (
            row.id,
            row.owner,
            row.role,
            ",".join(row.scopes) or "-",
            territory,
            key_state(row, now),
            _when(row.expires_at),
            _when(row.last_used_at),
        )
        typer.echo("\t".join(fields))


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.isoformat(timespec="seconds")


@keys_app.command("rotate")
def rotate(
    key_id: Annotated[str, typer.Argument(help="The key's id (`hub keys list`).")],
    grace: Annotated[
        str, typer.Option(help="How long the old key keeps working (0s, 1h, 7d).")
    ] = "0s",
) -> None:
    """Issue a new key like KEY_ID's and revoke KEY_ID after the grace period."""
    from hub.access.keys import KeyRequestError, UnknownKeyError, rotate_key
    from hub.graph.database import create_session_factory

    now = datetime.now(UTC)
    period = parse_duration(grace)
    pepper = _pepper()
    try:
        with _engine() as engine, create_session_factory(engine)() as session, session.begin():
            old, text = rotate_key(session, key_id, pepper, now, period)
            until = old.revoked_at
    except (KeyRequestError, UnknownKeyError) as exc:
        typer.echo(f"keys rotate: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Key {key_id} is revoked at {_when(until)}. New key {text.key_id}, shown once:")
    typer.echo(str(text))


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (`hub keys list`).")]) -> None:
    """Revoke KEY_ID now; servers refuse it within their key cache's few seconds."""
    from hub.access.keys import UnknownKeyError, revoke_key
    from hub.graph.database import create_session_factory

    try:
        with _engine() as engine, create_session_factory(engine)() as session, session.begin():
            revoke_key(session, key_id, datetime.now(UTC))
    except UnknownKeyError as exc:
        typer.echo(f"keys revoke: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Key {key_id} revoked.")


@audit_app.command("verify")
def verify() -> None:
    """Walk the audit log's hash chain; exit 1 naming the first removed or altered row."""
    from hub.access.audit_chain import verify_chain

    with _engine() as engine, engine.connect() as connection:
        report = verify_chain(connection)
    if not report.intact:
        typer.echo(f"audit verify: {report.reason} ({report.rows} rows intact before it)", err=True)
        raise typer.Exit(1)
    typer.echo(f"Audit log intact: {report.rows} rows, head {report.head}.")
