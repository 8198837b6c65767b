"""``hub linkage ...``: retrain the person linkage model.

    uv run hub linkage train --world worlds/train [--out hub/identity/linkage/models/person_vN.json]
    uv run hub linkage reblock     # the next version: the latest model with settings.py's
                                   # blocking and its untrained (fixed-m) comparisons

Training reads the world's deliveries as the pipelines would (connectors, then staging),
never its ``truth/`` folder: production has no labels, so neither does training.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

linkage_app = typer.Typer(help="Identity linkage: train and inspect the person model.")


@linkage_app.command("train")
def train_command(
    world: Annotated[
        Path, typer.Option(help="A world folder (sandbox generate layout) to train on.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="Model file to write (default: the next person_vN.json version)."),
    ] = None,
    u_pairs: Annotated[float, typer.Option(help="Random pairs sampled to estimate u.")] = 3e6,
    seed: Annotated[int, typer.Option(help="Seed of the random sampling for u.")] = 42,
) -> None:
    """Train a new model version without labels and write it as JSON."""
    from hub.identity.linkage.model import next_model_path
    from hub.identity.linkage.training import TrainingOptions, train_model
    from hub.identity.linkage.world import world_mentions

    target = out or next_model_path()
    mentions = world_mentions(world)
    model = train_model(mentions, target.stem, TrainingOptions(u_pairs=u_pairs, seed=seed))
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    typer.echo(f"Trained {model.version} on {mentions.height} mentions of {world.name}: {target}")


@linkage_app.command("reblock")
def reblock_command(
    out: Annotated[
        Path | None,
        typer.Option(help="Model file to write (default: the next person_vN.json version)."),
    ] = None,
) -> None:
    """Write the next model version: the latest model's trained parameters with the
    prediction blocking rules of `hub/identity/linkage/settings.py`, and any comparison
    of settings.py the model lacks (one whose m is fixed and u fitted per frame).

    Blocking decides only which pairs are scored, never how (training blocks with its own
    rules, settings.EM_RULES), so a change of blocking needs no retraining; it still makes
    a new version, since which pairs are scored changes which links a run makes."""
    from hub.identity.linkage.model import LinkageModel, load_latest_model, next_model_path
    from hub.identity.linkage.settings import BLOCKING_RULES, COMPARISONS

    latest = load_latest_model()
    target = out or next_model_path()
    dialect = "duckdb"
    known = {c["output_column_name"] for c in latest.settings["comparisons"]}
    added = [c for c in COMPARISONS if c["output_column_name"] not in known]
    settings = {
        **latest.settings,
        "comparisons": [*latest.settings["comparisons"], *added],
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": dialect} for rule in BLOCKING_RULES
        ],
    }
    model = LinkageModel(version=target.stem, settings=settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    typer.echo(
        f"Wrote {model.version}: {latest.version}'s parameters, settings.py's blocking: {target}"
    )
