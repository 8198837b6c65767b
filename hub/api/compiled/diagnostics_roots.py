"""The diagnostics' root fields as compiled statements: the quarter's assistant ratings and
body ratings (connections over their tables, in the orders of the data layer's criteria,
`hub.api.diagnostics.lists_data`) and the country's monthly series. An agency key's
territory filters the assistants' ratings as `Builder.access` filters every row the rule
table restricts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, select

from hub.api.compiled.audited import PersonsKind
from hub.api.compiled.compile import Builder
from hub.api.compiled.diagnostics_map import COUNTRY_SERIES, MONTHS
from hub.api.compiled.json_sql import NotCompiled
from hub.api.compiled.kinds import Args
from hub.api.compiled.root_plan import Root, listed
from hub.api.compiled.selection import Sel, Walk
from hub.api.diagnostics import lists_data as lists
from hub.api.errors import BadUserInputError
from hub.api.territory.codes import checked_code

ROOTS = ("assistantRatings", "bodyRatings", "countryMonthly")


def plan_diagnostics_root(name: str, arguments: dict[str, Any], walk: Walk) -> Root:
    if name == "countryMonthly":
        assert MONTHS.check is not None
        MONTHS.check(arguments)
        walk.params["series_from"], walk.params["series_to"] = arguments["from"], arguments["to"]
        return Root(("countryMonthly",), _country, single=False, type_name="IndicatorMonth")
    page = walk.page(arguments, prefix="root_")
    if name == "bodyRatings":
        criteria = lists.body_rating_criteria(arguments["quarter"])
    elif name == "assistantRatings":
        region, district = arguments.get("regionCode"), arguments.get("districtCode")
        try:
            if region is not None:
                checked_code("regionCode", region)
            if district is not None:
                checked_code("districtCode", district)
        except BadUserInputError as exc:
            raise NotCompiled("arguments the regular path rejects") from exc
        # The territory is the builder's (`Builder.access`), not the criteria's.
        criteria = lists.assistant_rating_criteria(arguments["quarter"], region, district, None)
    else:
        raise NotCompiled(f"Query.{name}")
    walk.params.update(criteria.params)
    node_type = "BodyRating" if name == "bodyRatings" else "AssistantRating"
    return listed(
        criteria.shape, node_type, criteria.table, criteria.where, criteria.order_by, page
    )


def _country(builder: Builder, sel: Sel, persons: PersonsKind | None) -> Select[Any]:
    assert sel.children is not None
    given: Args = {"from": bindparam("series_from"), "to": bindparam("series_to")}
    return select(builder.sql.as_text(builder.rows(COUNTRY_SERIES, None, sel.children, given)))
