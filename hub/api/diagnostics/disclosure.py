"""Which monthly figures the public does not see (the rules of `hub.api.access.suppression`
applied to the named figures of `hub.diagnostics.monthly`).

Per month of one territory:
- a count (households, unemployed, placed, land.leases, loans.count, appeals.received,
  ... and any figure not named below) above zero and below the threshold is hidden;
- the parts of a total (`households.assessed.N` of `households`, `appeals.received.<topic>`
  of `appeals.received`, ...) are hidden together: with exactly one small part, the next
  smallest non-zero one too (`suppression.hidden_parts`), so the total minus the rest does
  not give it back;
- a figure that describes the same few records as a count (`land.hectares` the leases,
  `loans.sum_uzs` the loans, `appeals.resolution_rate` and `appeals.median_days` the
  resolved appeals, `loans.overdue_share` the overdue loans) follows that count.
"""

from __future__ import annotations

from collections.abc import Mapping

from hub.api.access.suppression import hidden_parts, small

# Prefixes of parts, and the name of the figure whose value follows the part's count
# (for breakdowns: `land.hectares.<purpose>` follows `land.leases.<purpose>`).
_PARTS = (
    "households.assessed.",
    "households.computed.",
    "appeals.received.",
    "land.leases.",
    "loans.count.",
)
_FOLLOWS = {
    "land.hectares": "land.leases",
    "loans.sum_uzs": "loans.count",
    "loans.overdue_share": "loans.overdue_to_date",
    "appeals.resolution_rate": "appeals.resolved",
    "appeals.median_days": "appeals.resolved",
}
_FOLLOWS_PREFIX = {"land.hectares.": "land.leases.", "loans.sum_uzs.": "loans.count."}


def leader_of(name: str) -> str | None:
    """The count `name` follows, or None when `name` is a count itself."""
    if name in _FOLLOWS:
        return _FOLLOWS[name]
    for prefix, count in _FOLLOWS_PREFIX.items():
        if name.startswith(prefix):
            return count + name.removeprefix(prefix)
    return None


def hidden_figures(figures: Mapping[str, float], threshold: int) -> frozenset[str]:
    """The names of one month's `figures` the public must not see."""
    counts = {n: v for n, v in figures.items() if leader_of(n) is None}
    hidden = {n for n, v in counts.items() if small(_whole(v), threshold)}
    for prefix in _PARTS:
        parts = {n: _whole(v) for n, v in counts.items() if n.startswith(prefix)}
        hidden |= hidden_parts(parts, threshold)
    for name in figures:
        leader = leader_of(name)
        if leader is not None and (leader in hidden or leader not in figures):
            hidden.add(name)
    return frozenset(hidden)


def _whole(value: float) -> int:
    """A count as the integer it is (hectares and sums are never passed here)."""
    return round(value)
