"""The linkage engine's contract: what goes in (mentions), what comes out (a ``Resolution``).

A mention is one source record's view of a person. ``resolve_identities`` groups a frame of
mentions into clusters (one cluster = one person) and says, for each mention, how it joined:

- every input mention is in ``assignments`` exactly once (nothing lost);
- survey members are residents and always get a cluster; an agency mention with too little
  evidence to found or join a person is ``unlinked`` with a reason;
- a cluster never holds two different valid PINFLs each confirmed by its record's stated birth
  date and sex, nor two survey members of one household; a refused merge is a conflict row;
- mentions anchored to one ``person_hub_id`` stay together unless such a constraint forbids it
  (then a ``merge_refused`` conflict). The engine is pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import polars as pl

if TYPE_CHECKING:
    from hub.identity.linkage.model import LinkageModel

MENTION_SCHEMA: Final[dict[str, pl.DataType]] = {
    "mention_id": pl.String(),  # f"{source}/{record_key}", unique in the frame
    "source": pl.String(),  # survey | tax | employment | land | bank | appeals
    "record_key": pl.String(),
    "pinfl": pl.String(),  # as delivered, whitespace removed, may be invalid; null if none
    "full_name": pl.String(),  # as delivered (any script/form); null if none
    "birth_on": pl.Date(),  # the record's OWN stated birth date; never derived from the PINFL
    "sex": pl.String(),  # the record's own stated sex "M"/"F"; null if none
    "mahalla_code": pl.String(),  # null if none
    "household_key": pl.String(),  # survey_id for survey members, else null
    "passport": pl.String(),
    "phone": pl.String(),
    "tin": pl.String(),  # null when the source has none
    "person_hub_id": pl.String(),  # the golden person the mention is already linked to, or null
}

METHODS: Final = ("pinfl_exact", "probabilistic", "previous_link", "singleton", "unlinked")
CONFLICT_KINDS: Final = ("pinfl_overruled", "pinfl_shared", "merge_refused", "attribute")

ASSIGNMENT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "mention_id": pl.String(),
    "cluster": pl.Int64(),  # null iff unlinked; equal cluster = one person
    "method": pl.String(),  # one of METHODS
    "match_probability": pl.Float64(),  # null for singleton/unlinked
    "match_weight": pl.Float64(),  # log2 Bayes factor of the deciding pair
    "matched_mention_id": pl.String(),  # the partner whose pair decided the link
    "unlinked_reason": pl.String(),  # null unless unlinked
}

EXPLANATION_SCHEMA: Final[dict[str, pl.DataType]] = {
    "mention_id": pl.String(),
    "matched_mention_id": pl.String(),
    "comparison": pl.String(),  # the comparison's name, or "prior"
    "level": pl.String(),  # the comparison level's label
    "log2_bayes_factor": pl.Float64(),
}

CONFLICT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "cluster": pl.Int64(),
    "kind": pl.String(),  # one of CONFLICT_KINDS
    "mention_id": pl.String(),
    "other_mention_id": pl.String(),
    "detail": pl.String(),
}


@dataclass(frozen=True)
class Resolution:
    """The engine's answer for one frame of mentions (see the module docstring)."""

    assignments: pl.DataFrame  # ASSIGNMENT_SCHEMA, one row per input mention
    explanations: pl.DataFrame  # EXPLANATION_SCHEMA, the waterfall of each decided pair
    conflicts: pl.DataFrame  # CONFLICT_SCHEMA
    comparisons: int  # pairs scored (for the near-linear blocking check)
    model_version: str


def resolve_identities(mentions: pl.DataFrame, *, model: LinkageModel | None = None) -> Resolution:
    """Link ``mentions`` (``MENTION_SCHEMA``) into persons with ``model`` (default: the
    newest model file shipped in ``hub/identity/linkage/models``)."""
    from hub.identity.linkage.engine import run_engine

    return run_engine(mentions, model=model)
