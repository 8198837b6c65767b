"""Reading a world's deliveries into mentions through the connectors and staging."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from hub.identity.linkage import MENTION_SCHEMA
from hub.identity.linkage.world import WorldFolderError, world_mentions
from sandbox.generate import generate_world, noise_preset

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    generate_world(folder, 400, seed=5, noise=noise_preset("default", 0.0))
    return folder


def test_every_person_record_of_every_source_becomes_one_mention(small_world: Path) -> None:
    mentions = world_mentions(small_world)
    assert mentions.schema == pl.Schema(MENTION_SCHEMA)
    assert mentions["mention_id"].is_unique().all()
    truth = pl.read_csv(small_world / "truth" / "records.csv", infer_schema=False).filter(
        (pl.col("entity") == "person") & (pl.col("source") != "registry")
    )
    expected = set(truth.select("source", "record_key").iter_rows())
    assert set(mentions.select("source", "record_key").iter_rows()) == expected


def test_mentions_keep_the_records_own_birth_date_never_the_pinfls(small_world: Path) -> None:
    mentions = world_mentions(small_world)
    # Land leases and appeals state no birth date, whatever their PINFL encodes.
    undated = mentions.filter(pl.col("source").is_in(["land", "appeals"]))
    assert undated.height > 0
    assert undated["birth_on"].null_count() == undated.height
    survey = mentions.filter(pl.col("source") == "survey")
    assert survey["household_key"].null_count() == 0


def test_a_folder_without_a_registry_is_not_a_world(tmp_path: Path) -> None:
    with pytest.raises(WorldFolderError, match="no registry"):
        world_mentions(tmp_path)
