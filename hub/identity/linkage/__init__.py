"""Probabilistic identity resolution (Splink on DuckDB, or on Spark with
``HUB_LINKAGE_BACKEND=spark``: ``backend_settings``) over person mentions of all sources.

The contract (``MENTION_SCHEMA`` in, ``Resolution`` out) is in ``contract``; the trained
model is a versioned JSON file loaded by ``model``.
"""

from hub.identity.linkage.contract import (
    ASSIGNMENT_SCHEMA,
    CONFLICT_KINDS,
    CONFLICT_SCHEMA,
    EXPLANATION_SCHEMA,
    MENTION_SCHEMA,
    METHODS,
    Resolution,
    resolve_identities,
)
from hub.identity.linkage.engine import DuplicateMentionError
from hub.identity.linkage.model import LinkageModel, ModelFileError, load_latest_model

__all__ = [
    "ASSIGNMENT_SCHEMA",
    "CONFLICT_KINDS",
    "CONFLICT_SCHEMA",
    "EXPLANATION_SCHEMA",
    "MENTION_SCHEMA",
    "METHODS",
    "DuplicateMentionError",
    "LinkageModel",
    "ModelFileError",
    "Resolution",
    "load_latest_model",
    "resolve_identities",
]
