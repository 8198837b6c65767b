"""SQLAlchemy 2 models of the mahalla graph.

Region → District → Mahalla (assistant) → Household → Person, and from a person the agency
facts (tax registrations, employment records, land leases, loans and subsidies, notebook
entries, appeals) and the source records they were built from.
"""

from hub.graph.models.access import ApiKey, AuditRecord
from hub.graph.models.activities import (
    Appeal,
    Business,
    EmploymentRecord,
    LandLease,
    Loan,
    NotebookEntry,
    Parcel,
    TaxRegistration,
)
from hub.graph.models.diagnostic_history import HouseholdCategoryChange, NotebookGapClosed
from hub.graph.models.diagnostics import (
    HouseholdCategoryEvidence,
    MonthlyIndicator,
    MonthlyIndicatorRevision,
    NotebookFinding,
)
from hub.graph.models.indicators import MahallaIndicators
from hub.graph.models.population import Household, HouseholdMember, Person
from hub.graph.models.provenance import (
    Delivery,
    DeliveryRegion,
    LinkContribution,
    PersonConflict,
    PersonRedirect,
    PersonSplit,
    Reject,
    SourceCursor,
    SourceRecord,
)
from hub.graph.models.ratings import AssistantRating, BodyRating
from hub.graph.models.territory import Assistant, District, Mahalla, Region

__all__ = [
    "ApiKey",
    "Appeal",
    "Assistant",
    "AssistantRating",
    "AuditRecord",
    "BodyRating",
    "Business",
    "Delivery",
    "DeliveryRegion",
    "District",
    "EmploymentRecord",
    "Household",
    "HouseholdCategoryChange",
    "HouseholdCategoryEvidence",
    "HouseholdMember",
    "LandLease",
    "LinkContribution",
    "Loan",
    "Mahalla",
    "MahallaIndicators",
    "MonthlyIndicator",
    "MonthlyIndicatorRevision",
    "NotebookEntry",
    "NotebookFinding",
    "NotebookGapClosed",
    "Parcel",
    "Person",
    "PersonConflict",
    "PersonRedirect",
    "PersonSplit",
    "Region",
    "Reject",
    "SourceCursor",
    "SourceRecord",
    "TaxRegistration",
]
