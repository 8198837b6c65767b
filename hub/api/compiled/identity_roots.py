"""The root fields of identity resolution as compiled connections: records linkage left
unlinked, probabilistic links in a band for review, and the persons of a mahalla no
survey lists. Their conditions and orders are the data layer's own
(`hub.api.identity.data`), with the values as parameters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam

from hub.api.compiled.json_sql import NotCompiled
from hub.api.compiled.root_plan import Root, listed
from hub.api.compiled.selection import Walk
from hub.api.identity import data as identity
from hub.api.identity.queries import BORDERLINE_FROM, BORDERLINE_TO
from hub.api.people import records as people
from hub.api.provenance.data import SOURCE_RECORD

ROOTS = ("unlinkedMentions", "borderlineLinks", "notSurveyed")


def plan_identity_root(name: str, arguments: dict[str, Any], walk: Walk) -> Root:
    page = walk.page(arguments, prefix="root_")
    if name == "notSurveyed":
        walk.params["not_surveyed_mahalla"] = arguments["mahallaCode"]
        return listed(
            ("notSurveyed",),
            "Person",
            people.PERSON,
            lambda: identity.not_surveyed_where(bindparam("not_surveyed_mahalla")),
            lambda: [people.PERSON.c.hub_id],
            page,
        )
    if name == "unlinkedMentions":
        criteria = identity.MentionCriteria(
            unlinked=True, source=arguments.get("source"), mahalla_code=arguments.get("mahallaCode")
        )
    elif name == "borderlineLinks":
        low = arguments.get("minProbability", BORDERLINE_FROM)
        high = arguments.get("maxProbability", BORDERLINE_TO)
        if not 0.0 <= low <= high <= 1.0:
            raise NotCompiled("arguments the regular path rejects")
        criteria = identity.MentionCriteria(
            min_probability=low, max_probability=high, source=arguments.get("source")
        )
    else:
        raise NotCompiled(f"Query.{name}")
    values = identity.mention_parameters(criteria)
    walk.params.update(values)
    return listed(
        (name, criteria.unlinked, frozenset(values)),
        "SourceRecord",
        SOURCE_RECORD,
        lambda: identity.mention_where(criteria, values),
        lambda: list(identity.MENTION_ORDER),
        page,
    )
