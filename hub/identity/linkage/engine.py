"""The linkage run: features, scored pairs, constrained clusters, then what each mention
gets in the ``Resolution`` (see ``contract``).

A mention's link is decided by its strongest accepted pair: ``previous_link`` when that is
the tie between mentions anchored to one existing person, ``pinfl_exact`` when the pair
shares a PINFL that was not overruled, else ``probabilistic``. A mention in a cluster of
its own is a ``singleton`` person when it is a survey member (a resident) or carries enough
to found a person (a valid PINFL, or a readable name with a birth date, a PINFL-like
number, a passport, a phone or a TIN); otherwise it is ``unlinked`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from hub.identity.linkage.adapt import adapt_settings
from hub.identity.linkage.backend_settings import LinkageBackendSettings
from hub.identity.linkage.clustering import Clusters, anchor_links, constrained_clusters
from hub.identity.linkage.conflicts import collect_conflicts
from hub.identity.linkage.contract import (
    ASSIGNMENT_SCHEMA,
    CONFLICT_SCHEMA,
    EXPLANATION_SCHEMA,
    Resolution,
)
from hub.identity.linkage.explain import waterfall
from hub.identity.linkage.features import mention_features
from hub.identity.linkage.model import LinkageModel, load_latest_model
from hub.identity.linkage.scoring import ScoredPairs, level_values, score_pairs
from hub.identity.linkage.settings import LINK_THRESHOLD

PAIR_KEYS = ["unique_id_l", "unique_id_r"]


class DuplicateMentionError(ValueError):
    """Two input rows share a mention_id (the caller must send each record once)."""


@dataclass(frozen=True)
class Linked:
    """The steps of one run before assignments: what ``bench_linkage --misses`` inspects."""

    features: pl.DataFrame
    settings: dict[str, Any]  # the model's settings adapted to this frame
    scored: ScoredPairs  # pairs at or above scoring.CANDIDATE_PROBABILITY
    clusters: Clusters
    model_version: str


def link_mentions(
    mentions: pl.DataFrame,
    *,
    model: LinkageModel | None = None,
    backend: LinkageBackendSettings | None = None,
) -> Linked:
    """Features, scored pairs and constrained clusters of ``mentions``."""
    repeated = mentions.filter(pl.col("mention_id").is_duplicated())["mention_id"]
    if not repeated.is_empty():
        raise DuplicateMentionError(
            f"Mention {repeated[0]!r} appears {repeated.len()} times; each must be unique."
        )
    chosen = model or load_latest_model()
    features = mention_features(mentions)
    settings = adapt_settings(chosen.settings, features)
    enough = features.height >= 2
    scored = score_pairs(features, settings, backend) if enough else ScoredPairs(_no_pairs(), 0)
    links = scored.pairs.filter(pl.col("match_probability") >= LINK_THRESHOLD).select(
        *PAIR_KEYS, "match_weight"
    )
    clusters = constrained_clusters(features, pl.concat([anchor_links(features), links]))
    return Linked(features, settings, scored, clusters, chosen.version)


def run_engine(
    mentions: pl.DataFrame,
    *,
    model: LinkageModel | None = None,
    backend: LinkageBackendSettings | None = None,
) -> Resolution:
    """``resolve_identities``'s work; ``backend`` (default: from the environment) is where
    Splink scores the pairs, everything else runs in polars the same on either."""
    return resolve_linked(link_mentions(mentions, model=model, backend=backend))


def resolve_linked(linked: Linked) -> Resolution:
    """What each mention of a ``link_mentions`` run gets: assignments, waterfalls, conflicts."""
    features, settings = linked.features, linked.settings
    scored, clusters = linked.scored, linked.clusters
    decided = _deciding_pairs(features, clusters.accepted, scored.pairs, settings)
    features = features.with_columns(cluster=pl.Series(clusters.cluster, dtype=pl.Int64))
    assignments = _assignments(features, decided)
    explained = waterfall(
        decided.filter(pl.col("method") != "previous_link"), scored.pairs, settings
    )
    conflicts = collect_conflicts(features, assignments, scored.pairs, clusters.refused)
    return Resolution(
        assignments=assignments,
        explanations=explained,
        conflicts=conflicts,
        comparisons=scored.comparisons,
        model_version=linked.model_version,
    )


def _no_pairs() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "unique_id_l": pl.Int64,
            "unique_id_r": pl.Int64,
            "match_weight": pl.Float64,
            "match_probability": pl.Float64,
            "gamma_pinfl": pl.Int32,
            "pinfl_overruled": pl.Boolean,
        }
    )


def _deciding_pairs(
    features: pl.DataFrame,
    accepted: pl.DataFrame,
    pairs: pl.DataFrame,
    settings: dict[str, Any],
) -> pl.DataFrame:
    """Per linked mention: its strongest accepted pair, the partner and the method."""
    both = pl.concat(
        [
            accepted.with_columns(unique_id=pl.col("unique_id_l"), partner=pl.col("unique_id_r")),
            accepted.with_columns(unique_id=pl.col("unique_id_r"), partner=pl.col("unique_id_l")),
        ]
    )
    # Ties broken by the partner's id, so equal pairs give the same explanation every run.
    ranked = both.sort(["match_weight", "partner"], descending=[True, False])
    best = ranked.unique("unique_id", keep="first", maintain_order=True)
    same_pinfl = level_values(settings)["pinfl"]["same PINFL"]
    facts = pairs.select(*PAIR_KEYS, "match_probability", "gamma_pinfl", "pinfl_overruled")
    ids = features.select("unique_id", "mention_id")
    best = best.join(facts, on=PAIR_KEYS, how="left").join(ids, on="unique_id")
    best = best.join(
        ids.rename({"unique_id": "partner", "mention_id": "matched_mention_id"}), on="partner"
    )
    anchor = pl.col("match_weight").is_infinite()
    return best.with_columns(
        method=pl.when(anchor)
        .then(pl.lit("previous_link"))
        .when((pl.col("gamma_pinfl") == same_pinfl) & ~pl.col("pinfl_overruled"))
        .then(pl.lit("pinfl_exact"))
        .otherwise(pl.lit("probabilistic")),
        match_weight=pl.when(anchor).then(None).otherwise("match_weight"),
    )


def _founding_evidence() -> pl.Expr:
    return pl.col("pinfl_valid").fill_null(False) | (
        pl.col("name_ok")
        & pl.any_horizontal(
            pl.col(c).is_not_null() for c in ("birth_on", "pinfl", "passport", "phone", "tin")
        )
    )


def _unlinked_reason() -> pl.Expr:
    return (
        pl.when(pl.col("full_name").is_null() & pl.col("pinfl").is_null())
        .then(pl.lit("neither a name nor a PINFL"))
        .when(~pl.col("name_ok"))
        .then(
            pl.concat_str(
                pl.lit("name '"),
                pl.col("full_name"),
                pl.lit("' normalises to nothing and no valid PINFL"),
            )
        )
        .otherwise(
            pl.lit("only a name (no PINFL, birth date, passport, phone or TIN) and no match")
        )
    )


def _assignments(features: pl.DataFrame, decided: pl.DataFrame) -> pl.DataFrame:
    sizes = pl.len().over("cluster")
    alone = sizes == 1
    keeps = (
        (pl.col("source") == "survey")
        | _founding_evidence()
        | pl.col("person_hub_id").is_not_null()
    )
    joined = features.join(
        decided.select(
            "unique_id", "method", "match_probability", "match_weight", "matched_mention_id"
        ),
        on="unique_id",
        how="left",
    )
    linked = ~alone | keeps
    return joined.select(
        "mention_id",
        cluster=pl.when(linked).then("cluster"),
        method=pl.when(~alone)
        .then("method")
        .when(keeps)
        .then(pl.lit("singleton"))
        .otherwise(pl.lit("unlinked")),
        match_probability=pl.when(~alone).then("match_probability"),
        match_weight=pl.when(~alone).then("match_weight"),
        matched_mention_id=pl.when(~alone).then("matched_mention_id"),
        unlinked_reason=pl.when(~linked).then(_unlinked_reason()),
    ).cast(ASSIGNMENT_SCHEMA)  # type: ignore[arg-type]


__all__ = [
    "CONFLICT_SCHEMA",
    "EXPLANATION_SCHEMA",
    "DuplicateMentionError",
    "Linked",
    "link_mentions",
    "resolve_linked",
    "run_engine",
]
