"""The person an agency fact names, as a GraphQL node: the `person` field of the activity
types (`work_types`, `land_types`, `support_types`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.api.context import Info
from hub.api.relations import now_or_later, optional

if TYPE_CHECKING:
    from hub.api.people.person_types import PersonNode


def linked_person(info: Info, person_id: int | None) -> PersonNode | None:
    # Imported here: hub.api.people.person_types imports the activity types for the person's lists.
    from hub.api.people.person_types import PersonNode

    if person_id is None:
        return None
    return now_or_later(info.context.loaders.person, person_id, optional(PersonNode.of))
