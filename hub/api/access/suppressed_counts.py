"""The counts the public sees only at or above the disclosure threshold (and apart from a
total they would reveal a small part of), by type: the rule table's part that the
suppression (`hub.api.access.suppression`) applies."""

from __future__ import annotations

SUPPRESSED: dict[str, frozenset[str]] = {
    "Statistics": frozenset({"population", "households", "categoryMismatches"}),
    "HouseholdCategoryCounts": frozenset(
        {"category1", "category2", "category3", "category4", "unknown"}
    ),
    "EmploymentStatistics": frozenset(
        {"employed", "unemployed", "selfEmployed", "entrepreneurs", "publicWorks", "inTraining"}
    ),
    "LandStatistics": frozenset({"activeLeases", "leasedAreaHa"}),
    "ProgrammeFinancing": frozenset({"count", "amount"}),
    "NotebookCount": frozenset({"persons"}),
    "AppealStatistics": frozenset({"total", "open"}),
    "TopicCount": frozenset({"appeals"}),
    "IndicatorFigure": frozenset({"value"}),
    "IndicatorRevision": frozenset({"oldValue", "newValue"}),
    "BodyRating": frozenset(
        {"received", "resolved", "overdueOpen", "resolutionRate", "medianDays", "p90Days"}
    ),
}


def is_suppressed_count(type_name: str, field_name: str) -> bool:
    return field_name in SUPPRESSED.get(type_name, ())
