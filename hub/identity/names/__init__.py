"""Names as the agencies write them, brought to one comparable form.

``parse_name``/``normalise_name`` read a full name in Latin or Cyrillic, any case, order,
apostrophe variant or patronymic form; ``name_similarity`` compares two results.
"""

from hub.identity.names.fold import (
    KEY_SEPARATOR,
    comparison_key,
    initial_key,
    is_initial_key,
    key_expansions,
    keys_match,
)
from hub.identity.names.issues import NameIssue
from hub.identity.names.parse import (
    NameParse,
    NormalName,
    clear_name_caches,
    normalise_name,
    parse_name,
)
from hub.identity.names.similarity import (
    NameSimilarity,
    initials_compatible,
    key_similarity,
    name_similarity,
)
from hub.identity.names.transliterate import CANONICAL_APOSTROPHE, transliterate_segment

__all__ = [
    "CANONICAL_APOSTROPHE",
    "KEY_SEPARATOR",
    "NameIssue",
    "NameParse",
    "NameSimilarity",
    "NormalName",
    "clear_name_caches",
    "comparison_key",
    "initial_key",
    "initials_compatible",
    "is_initial_key",
    "key_expansions",
    "key_similarity",
    "keys_match",
    "name_similarity",
    "normalise_name",
    "parse_name",
    "transliterate_segment",
]
