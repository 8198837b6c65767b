"""The `sandbox` command: generate a world, serve its agencies."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from sandbox.generate import NOISE_PRESETS, generate_world, noise_preset
from sandbox.generate.dating import DEFAULT_BASE_YEAR
from sandbox.generate.world import DEFAULT_SEED
from sandbox.serve.settings import (
    BANK_BASE_PATH,
    DEFAULT_BANK_API_KEY,
    DEFAULT_TAX_TOKEN,
    TAX_BASE_PATH,
    AgencySettings,
    FaultSettings,
)

app = typer.Typer(help="Synthetic mahalla world and fake agency endpoints.", no_args_is_help=True)


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the world into.")],
    people: Annotated[int, typer.Option(help="Number of people (short by < one household).")],
    seed: Annotated[
        int, typer.Option(help="Same seed and size give the same bytes.")
    ] = DEFAULT_SEED,
    noise: Annotated[
        str, typer.Option(help=f"Noise preset: {', '.join(NOISE_PRESETS)}.")
    ] = "default",
    corrupt_rate: Annotated[
        float | None, typer.Option(help="Share of delivered rows made unreadable.")
    ] = None,
    base_year: Annotated[
        int,
        typer.Option(help="Year the world is dated in: its survey, appeals, loans, files and ids."),
    ] = DEFAULT_BASE_YEAR,
) -> None:
    """Write a world: deliveries per source, API data, ground truth and world.json."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        settings = noise_preset(noise, corrupt_rate)
        manifest = generate_world(out_dir, people, seed=seed, noise=settings, base_year=base_year)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from err
    typer.echo(
        f"World of {manifest.people} people, {manifest.households} households, "
        f"{manifest.mahallas} mahallas in {out_dir}, dated {manifest.base_year}"
    )
    for source, rows in manifest.rows.items():
        typer.echo(f"  {source:<11} {rows:>9} rows  {manifest.corrupt_rows[source]:>6} corrupt")


@app.command()
def serve(
    world_dir: Annotated[Path, typer.Argument(help="A folder written by `sandbox generate`.")],
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8701,
    fault_rate: Annotated[
        float,
        typer.Option(help="Share of requests failing, split over 429/5xx/drop/malformed/slow."),
    ] = 0.0,
    fault_seed: Annotated[int, typer.Option()] = 0,
    slow_seconds: Annotated[float, typer.Option()] = 2.0,
    down: Annotated[
        list[str] | None, typer.Option(help="Source answering 503 to everything: tax or bank.")
    ] = None,
    tax_token: Annotated[str, typer.Option()] = DEFAULT_TAX_TOKEN,
    bank_api_key: Annotated[str, typer.Option()] = DEFAULT_BANK_API_KEY,
    token_ttl: Annotated[float, typer.Option(help="Page-token lifetime in seconds.")] = 600.0,
) -> None:
    """Serve the tax and bank APIs of a world with uvicorn until interrupted."""
    import uvicorn

    from sandbox.serve.app import create_agency_app

    try:
        faults = FaultSettings.uniform(
            fault_rate, seed=fault_seed, slow_seconds=slow_seconds, down=frozenset(down or ())
        )
    except ValueError as err:
        raise typer.BadParameter(str(err)) from err
    settings = AgencySettings(
        tax_token=tax_token,
        bank_api_key=bank_api_key,
        page_token_ttl_seconds=token_ttl,
        faults=faults,
    )
    asgi = create_agency_app(world_dir, settings)
    base = f"http://{host}:{port}"
    typer.echo(f"HUB_TAX_API_URL={base}{TAX_BASE_PATH}")
    typer.echo(f"HUB_BANK_API_URL={base}{BANK_BASE_PATH}")
    uvicorn.run(asgi, host=host, port=port, log_level="warning")
