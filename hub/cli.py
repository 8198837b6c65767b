"""The `hub` command line: one Typer app, one sub-command per task.

uv run hub api --host 127.0.0.1 --port 8000    serve the GraphQL API (uvicorn)
uv run hub export-schema                       write schema.graphql from the code
uv run hub linkage train --world DIR           train a new person linkage model version
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from hub.identity.linkage.cli import linkage_app

app = typer.Typer(help="Mahalla Hub: the integration hub of the Online Mahalla platform.")
app.add_typer(linkage_app, name="linkage")


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at DEBUG.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


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
    )
    try:
        run_demo(settings)
    except DemoError as exc:
        typer.echo(f"demo: {exc}", err=True)
        raise typer.Exit(1) from exc
