"""Unsupervised training of the linkage model (production has no labels).

1. The prior (probability that two random mentions are one person) from deterministic
   rules that admit almost no false links, scaled by their assumed recall;
2. u (how often non-matches agree at each level) by random sampling of mention pairs;
3. m (how often matches agree) by expectation maximisation, in sessions each blocked on
   different columns so that every comparison is estimated at least once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import polars as pl

from hub.identity.linkage.adapt import MATCHES_PER_MENTION, matches_per_mention
from hub.identity.linkage.features import mention_features
from hub.identity.linkage.model import LinkageModel
from hub.identity.linkage.settings import EM_RULES, PRIOR_RECALL, PRIOR_RULES, base_settings
from hub.identity.linkage.splink_session import open_linker
from hub.identity.linkage.temper import temper_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingOptions:
    u_pairs: float = 3e6
    seed: int = 42


def train_model(
    mentions: pl.DataFrame, version: str, options: TrainingOptions | None = None
) -> LinkageModel:
    """A model trained on ``mentions`` (``MENTION_SCHEMA``) without any labels."""
    chosen = options or TrainingOptions()
    linker = open_linker(mention_features(mentions), base_settings(), validate=True)
    training = linker.training
    training.estimate_probability_two_random_records_match(PRIOR_RULES, recall=PRIOR_RECALL)
    training.estimate_u_using_random_sampling(max_pairs=chosen.u_pairs, seed=chosen.seed)
    for rule in EM_RULES:
        training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    settings = temper_settings(linker.misc.save_model_to_json())
    settings[MATCHES_PER_MENTION] = matches_per_mention(settings, mentions.height)
    return LinkageModel(version=version, settings=settings)
