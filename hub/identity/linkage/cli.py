"""``hub linkage ...``: retrain the person linkage model.

    uv run hub linkage train --world worlds/train [--out hub/identity/linkage/models/person_vN.json]

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
