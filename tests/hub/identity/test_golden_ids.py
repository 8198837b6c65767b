"""Stable golden ids: kept, minted, merged into the oldest, split with a reason."""

from __future__ import annotations

import polars as pl

from hub.identity.golden_ids import new_person_hub_id, plan_hub_ids


def _assignments(rows: list[tuple[str, int | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"mention_id": pl.String, "cluster": pl.Int64, "person_hub_id": pl.String},
        orient="row",
    )


def _ids(plan) -> dict[int, tuple[str, bool]]:  # type: ignore[no-untyped-def]
    return {c: (h, n) for c, h, n in plan.cluster_ids.iter_rows()}


def test_a_cluster_keeps_its_one_anchor_and_an_unanchored_one_gets_a_stable_new_id() -> None:
    assigned = _assignments([("survey/S/1", 0, "old"), ("tax/T", 0, None), ("bank/L", 1, None)])
    plan = plan_hub_ids(assigned, {"old": 1}, lambda _: False)
    ids = _ids(plan)
    assert ids[0] == ("old", False)
    assert ids[1] == (new_person_hub_id("bank/L", lambda _: False), True)
    assert not plan.redirects and not plan.splits


def test_a_merge_keeps_the_oldest_id_and_redirects_the_others() -> None:
    assigned = _assignments([("a", 0, "young"), ("b", 0, "old"), ("c", 0, "middle")])
    plan = plan_hub_ids(assigned, {"young": 30, "old": 2, "middle": 9}, lambda _: False)
    assert _ids(plan)[0] == ("old", False)
    assert {(r.from_hub_id, r.to_hub_id) for r in plan.redirects} == {
        ("young", "old"),
        ("middle", "old"),
    }


def test_a_split_mints_an_id_for_the_smaller_part_and_says_why() -> None:
    assigned = _assignments([("a", 0, "P"), ("b", 0, "P"), ("c", 1, "P"), ("d", None, "P")])
    plan = plan_hub_ids(assigned, {"P": 1}, lambda _: False, {1: "two household members"})
    ids = _ids(plan)
    assert ids[0] == ("P", False)
    minted, is_new = ids[1]
    assert is_new and minted != "P"
    assert [(s.hub_id, s.from_hub_id, s.reason) for s in plan.splits] == [
        (minted, "P", "two household members")
    ]


def test_an_id_already_used_by_a_person_or_a_redirect_is_never_handed_out_again() -> None:
    first = new_person_hub_id("tax/T", lambda _: False)
    plan = plan_hub_ids(_assignments([("tax/T", 0, None)]), {}, lambda h: h == first)
    (hub_id, is_new) = _ids(plan)[0]
    assert is_new and hub_id != first
