"""Pairs to clusters under rules that cannot chain a family into one person.

Links are taken strongest first (links between mentions anchored to one existing person
before all others) and a link joins two clusters only if the union would hold neither two
different confirmed PINFLs (valid, and agreeing with their records' stated birth dates and
sexes) nor two members of one surveyed household, and two clusters that each hold a survey
member join only through a link between two survey members: the survey lists each resident
once, so an agency record matching two namesake residents must not make them one person
(it stays with the one it matched best; an existing person's anchor links are exempt, since
the graph already made its records one person). A refused link is kept as a ``merge_refused``
conflict: the two clusters stay apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

ANCHOR_WEIGHT = float("inf")
PAIR = ("unique_id_l", "unique_id_r")


@dataclass
class _Constraints:
    pinfls: dict[int, set[str]] = field(default_factory=dict)
    households: dict[int, set[str]] = field(default_factory=dict)
    surveyed: set[int] = field(default_factory=set)  # survey members (by unique_id)

    survey_sets: set[int] = field(default_factory=set)  # set roots holding a survey member

    def chains_survey(self, a: int, b: int, left: int, right: int) -> str | None:
        """Both sets hold a survey member and the link is not between two of them."""
        both = a in self.survey_sets and b in self.survey_sets
        if both and (left not in self.surveyed or right not in self.surveyed):
            return "two survey members would be one person only through another record"
        return None

    def clash(self, a: int, b: int) -> str | None:
        pa, pb = self.pinfls.get(a), self.pinfls.get(b)
        if pa and pb and pa != pb:
            return f"confirmed PINFLs {sorted(pa)[0]} and {sorted(pb)[0]} differ"
        ha, hb = self.households.get(a), self.households.get(b)
        if ha and hb:
            shared = ha & hb
            if shared:
                return f"both are members of surveyed household {sorted(shared)[0]}"
        return None

    def absorb(self, root: int, other: int) -> None:
        if other in self.survey_sets:
            self.survey_sets.discard(other)
            self.survey_sets.add(root)
        for table in (self.pinfls, self.households):
            moved = table.pop(other, None)
            if moved:
                table.setdefault(root, set()).update(moved)


@dataclass(frozen=True)
class Clusters:
    cluster: list[int]  # per unique_id: its cluster (the smallest unique_id in it)
    accepted: pl.DataFrame  # unique_id_l, unique_id_r, match_weight: links that joined
    refused: pl.DataFrame  # unique_id_l, unique_id_r, detail


class _UnionFind:
    """Disjoint sets with union by size and path halving, carrying the constraints."""

    def __init__(self, size: int, rules: _Constraints) -> None:
        self.parent = list(range(size))
        self.members = [1] * size
        self.rules = rules

    def find(self, node: int) -> int:
        parent = self.parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(self, left: int, right: int, *, anchored: bool = False) -> str | None:
        """Join the sets of ``left`` and ``right``; the reason if the constraints refuse."""
        a, b = self.find(left), self.find(right)
        if a == b:
            return None
        reason = self.rules.clash(a, b)
        if reason is None and not anchored:  # an existing person's records stay together
            reason = self.rules.chains_survey(a, b, left, right)
        if reason is not None:
            return reason
        if self.members[a] < self.members[b]:
            a, b = b, a
        self.parent[b] = a
        self.members[a] += self.members[b]
        self.rules.absorb(a, b)
        return None

    def labels(self) -> list[int]:
        """Per node: the smallest node of its set."""
        roots = [self.find(node) for node in range(len(self.parent))]
        smallest: dict[int, int] = {}
        for node, root in enumerate(roots):
            smallest.setdefault(root, node)
        return [smallest[root] for root in roots]


def constrained_clusters(features: pl.DataFrame, links: pl.DataFrame) -> Clusters:
    """Cluster ``features`` rows (by ``unique_id`` 0..n-1) along ``links``
    (``unique_id_l``, ``unique_id_r``, ``match_weight``; anchors have infinite weight)."""
    # Only the mentions a link names can be joined: the others' constraints are never
    # consulted (most of a small delivery's candidates are linked to nothing).
    named = pl.concat([links["unique_id_l"], links["unique_id_r"]]).unique()
    linked = features.filter(pl.col("unique_id").is_in(named.implode()))
    sets = _UnionFind(features.height, _initial_constraints(linked))
    accepted: list[tuple[int, int, float]] = []
    refused: list[tuple[int, int, str]] = []
    # Ties broken by the pair's ids: the pairs arrive in the order DuckDB's threads
    # finished them, and which of two equal links a constraint refuses decides clusters.
    ordered = links.sort(["match_weight", *PAIR], descending=[True, False, False])
    for left, right, weight in ordered.select(*PAIR, "match_weight").iter_rows():
        before = sets.find(left) == sets.find(right)
        reason = sets.join(left, right, anchored=weight == ANCHOR_WEIGHT)
        if reason is not None:
            refused.append((left, right, reason))
        elif not before:
            accepted.append((left, right, weight))
    pair = {"unique_id_l": pl.Int64, "unique_id_r": pl.Int64}
    return Clusters(
        cluster=sets.labels(),
        accepted=pl.DataFrame(accepted, schema=pair | {"match_weight": pl.Float64}, orient="row"),
        refused=pl.DataFrame(refused, schema=pair | {"detail": pl.String}, orient="row"),
    )


def _initial_constraints(features: pl.DataFrame) -> _Constraints:
    confirmed = features.filter(pl.col("pinfl_confirmed"))
    surveyed = features.filter(pl.col("household_key").is_not_null())
    nodes = surveyed["unique_id"].to_list()
    return _Constraints(
        pinfls={
            n: {p}
            for n, p in zip(
                confirmed["unique_id"].to_list(), confirmed["pinfl"].to_list(), strict=True
            )
        },
        households={
            n: {h} for n, h in zip(nodes, surveyed["household_key"].to_list(), strict=True)
        },
        surveyed=set(nodes),
        survey_sets=set(nodes),
    )


def anchor_links(features: pl.DataFrame) -> pl.DataFrame:
    """Links chaining the mentions anchored to each existing person (infinite weight)."""
    anchored = features.filter(pl.col("person_hub_id").is_not_null()).select(
        "unique_id", first=pl.col("unique_id").min().over("person_hub_id")
    )
    return anchored.filter(pl.col("unique_id") != pl.col("first")).select(
        unique_id_l="first",
        unique_id_r="unique_id",
        match_weight=pl.lit(ANCHOR_WEIGHT),
    )
