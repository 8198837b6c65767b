"""The `hub` command line: one Typer app, one sub-command per task.

uv run hub api --host 127.0.0.1 --port 8000    serve the GraphQL API (uvicorn)
uv run hub export-schema                       write schema.graphql from the code
uv run hub linkage train --world DIR           train a new person linkage model version
uv run hub deliveries held                     list deliveries waiting for a confirmation
uv run hub deliveries confirm 42               let held delivery 42 load on the next run
uv run hub env > .env                          the demo world's settings as a .env file
uv run hub run hub_main_job                    run one job, its settings checked first
uv run hub keys create --owner X --role agency  API keys (also list, rotate, revoke)
uv run hub audit verify                        check the audit log's hash chain
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hub.access.cli import audit_app, keys_app
from hub.identity.linkage.cli import linkage_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

OUR_LOGGERS = ("hub", "pipelines", "connectors", "sandbox")

app = typer.Typer(help="Mahalla Hub: the integration hub of the Online Mahalla platform.")
app.add_typer(linkage_app, name="linkage")
deliveries_app = typer.Typer(help="Deliveries held for an engineer's confirmation.")
app.add_typer(deliveries_app, name="deliveries")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at DEBUG.")] = False,
) -> None:
    # The hub's own messages at INFO; libraries (alembic's migration chatter, httpx's
    # request lines) only when they warn, unless --verbose asks for everything.
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    if not verbose:
        for ours in OUR_LOGGERS:
            logging.getLogger(ours).setLevel(logging.INFO)


@app.command()
def api(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="uvicorn worker processes.")] = 1,
) -> None:
    """Serve the GraphQL API at /graphql (and /healthz) for HUB_DATABASE_URL.

    GraphiQL is served on GET /graphql when HUB_API_GRAPHIQL=true.
    """
    import uvicorn

    from hub.api.settings import load_api_settings
    from hub.config import load_settings

    # Fail here, with the variable's name, rather than inside every worker.
    load_settings()
    load_api_settings()
    uvicorn.run(
        "hub.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
    )


@app.command("export-schema")
def export_schema_command(
    path: Annotated[
        Path | None, typer.Option(help="Where to write (default: schema.graphql).")
    ] = None,
    check: Annotated[bool, typer.Option(help="Only check; exit 1 when the file differs.")] = False,
) -> None:
    """Write the API's SDL to schema.graphql at the repository root."""
    from hub.api.export import SCHEMA_FILE, export_schema
    from hub.api.schema import schema_sdl

    target = path or SCHEMA_FILE
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != schema_sdl():
            typer.echo(f"{target} differs from the schema in the code.", err=True)
            raise typer.Exit(1)
        typer.echo(f"{target} is up to date.")
        return
    changed = export_schema(target)
    typer.echo(f"{target} {'written' if changed else 'already up to date'}.")


@app.command()
def demo(
    people: Annotated[int, typer.Option(min=100, help="People in the sandbox world.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Seed of the sandbox world.")] = 1,
    api_port: Annotated[int, typer.Option(help="Port of the GraphQL API.")] = 8000,
    dagster_port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000,
    agencies_port: Annotated[int, typer.Option(help="Port of the sandbox agencies.")] = 8701,
    base_year: Annotated[
        int | None,
        typer.Option(help="Year a new sandbox world is dated in (default: the year before today)."),
    ] = None,
) -> None:
    """Generate a sandbox world, serve its agencies, run the main job, serve API and Dagster UI.

    Everything is embedded (SQLite files under data/); Ctrl-C stops every process started.
    """
    from pipelines.demo import DemoError, DemoSettings, run_demo

    settings = DemoSettings(
        people=people,
        seed=seed,
        api_port=api_port,
        dagster_port=dagster_port,
        agencies_port=agencies_port,
        base_year=base_year,
    )
    try:
        run_demo(settings)
    except DemoError as exc:
        typer.echo(f"demo: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command("env")
def env_command(
    api_port: Annotated[int, typer.Option(help="Port of the GraphQL API.")] = 8000,
    agencies_port: Annotated[int, typer.Option(help="Port of the sandbox agencies.")] = 8701,
) -> None:
    """Print the settings of the demo's sandbox world as a .env file (`hub env > .env`).

    Dagster reads `.env` from the folder it runs in, so `dagster dev -m pipelines.definitions`
    and `hub run` then work from the project's folder without the demo.
    """
    from hub.config import load_settings
    from pipelines.demo import DemoSettings, demo_variables

    data_dir = load_settings().data_dir
    settings = DemoSettings(api_port=api_port, agencies_port=agencies_port)
    for name, value in demo_variables(settings, data_dir / "world", data_dir).items():
        typer.echo(f"{name}={value}")


@app.command("run")
def run_command(
    job: Annotated[
        str,
        typer.Argument(
            help="The job: hub_main_job, <source>_job (each then runs "
            "monthly_job for the months due) or monthly_job (every month due)."
        ),
    ] = ("hub_main_job"),
) -> None:
    """Run one Dagster job with the settings of the environment and of ./.env.

    The settings are checked first (one message lists every one missing); the run's full
    log goes to data/logs/<job>.log and one line per asset is printed here.
    """
    from hub.config import load_settings
    from pipelines.instance import prepare_dagster_home
    from pipelines.job_progress import run_job
    from pipelines.preflight import SettingsMissingError, check_settings, environment_with_dotenv

    env = environment_with_dotenv(Path.cwd())
    try:
        check_settings(env)
    except SettingsMissingError as exc:
        typer.echo(f"run: {exc}", err=True)
        raise typer.Exit(2) from exc
    from pipelines.monthly_automation import run_monthly_after

    data_dir = load_settings(env).data_dir
    env.setdefault("DAGSTER_HOME", str(prepare_dagster_home(data_dir / "dagster_home", env)))
    if job != "monthly_job":
        code, progress = run_job(job, env, data_dir / "logs" / f"{job}.log")
        if code != 0 or progress.failed_steps:
            raise typer.Exit(1)
    if run_monthly_after(env, data_dir / "logs"):
        raise typer.Exit(1)


@deliveries_app.command("held")
def deliveries_held() -> None:
    """List the deliveries of HUB_DATABASE_URL held for a confirmation, with their reasons."""
    from pipelines.deliveries import held

    with _graph_session() as session:
        found = held(session)
    if not found:
        typer.echo("No delivery is held.")
    for d in found:
        typer.echo(f"{d.id}\t{d.source}\t{d.name}\t{d.reason}")


@deliveries_app.command("confirm")
def deliveries_confirm(
    delivery_id: Annotated[int, typer.Argument(help="The held delivery's id.")],
) -> None:
    """Let a held delivery load: it is staged again and the next run of its source loads it."""
    from pipelines.deliveries import DeliveryNotHeldError, confirm

    try:
        with _graph_session() as session:
            ref = confirm(session, delivery_id)
    except DeliveryNotHeldError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Delivery {ref.id} ({ref.source} {ref.name}) confirmed; the next run loads it.")


@contextmanager
def _graph_session() -> Iterator[Session]:
    """A session on HUB_DATABASE_URL (migrated first), committed when the block ends."""
    from hub.config import load_settings
    from hub.graph.database import create_hub_engine, create_session_factory, upgrade_database

    url = load_settings().database_url
    upgrade_database(url)
    engine = create_hub_engine(url)
    try:
        with create_session_factory(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()
