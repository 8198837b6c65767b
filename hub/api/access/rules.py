"""THE rule table: for every GraphQL object type and field, what each role may see.

Both read paths read this table and nothing else (`hub.api.access.rule_lookup`): the
regular path wraps every field whose rule is not `EVERYONE` with a guard
(`hub.api.access.guard`), the compiled path masks what the principal lacks a scope for and
filters by its territory in SQL, and otherwise sends the root field the regular way
(`hub.api.compiled.selection`), the loaders take the row filters named here as WHERE
clauses (`hub.api.access.rows`).
`tests/hub/api/access/test_rules.py` walks the whole schema and fails for a type or
field without a rule here, and for a field that leads to a type its role may not see.

Roles (DESIGN.md, issue 16):
- public: aggregates (territory and its statistics) and the assistant directory;
- agency: persons, households and their relations (inside the key's territory: the
  `territory` row filter); personal fields need `personal`; a source's own records need
  that source's scope;
- engineer: deliveries, sources, the quarantine (its raw rows need `personal`), the
  linkage review lists, and every aggregate the public sees.
"""

from __future__ import annotations

from hub.api.access.requirements import (
    AGENCY,
    AGENCY_OR_ENGINEER,
    ENGINEER,
    EVERYONE,
    PERSONAL,
    Rule,
    TypeRules,
    needs,
    source,
    type_rules,
)
from hub.api.principal import PERSONAL_SCOPE

TERRITORY = "territory"  # the row's mahalla lies in the principal's region or district
SOURCE_SCOPE = "source_scope"  # a source record of a source the principal holds

_ENGINEER_PERSONAL = Rule(engineer=needs(PERSONAL_SCOPE))
_REVIEW = Rule(agency=needs(), engineer=needs())  # linkage provenance: agency and engineer


def _tax(*more: str) -> Rule:
    return Rule(agency=needs("tax", *more))


def _land(*more: str) -> Rule:
    return Rule(agency=needs("land", *more))


def _bank(*more: str) -> Rule:
    return Rule(agency=needs("bank", *more))


def _appeals(*more: str) -> Rule:
    return Rule(agency=needs("appeals", *more))


_CONNECTION = "pageInfo edges totalCount"
_EDGE = "cursor node"


def _connections(*node_types: str, rule: Rule = EVERYONE) -> dict[str, TypeRules]:
    """A connection's and an edge's own fields: the field leading to the connection
    carries the rule; its parts follow."""
    table: dict[str, TypeRules] = {}
    for name in node_types:
        table[f"{name}Connection"] = T(rule, _CONNECTION)
        table[f"{name}Edge"] = T(rule, _EDGE)
    return table


T = type_rules

TYPES: dict[str, TypeRules] = {
    "Query": T(
        EVERYONE,
        # node/nodes answer null for an object the caller may not see, as for one that
        # does not exist (`hub.api.global_ids`).
        "region regions district districts mahalla mahallas node nodes countryMonthly bodyRatings",
        {
            "assistantRatings": AGENCY,
            "person": AGENCY,
            "persons": AGENCY,
            "household": AGENCY,
            "households": AGENCY,
            "notSurveyed": AGENCY,
            "deliveries": ENGINEER,
            "sources": ENGINEER,
            "quarantine": ENGINEER,
            "unlinkedMentions": ENGINEER,
            "borderlineLinks": ENGINEER,
            "auditLog": ENGINEER,
        },
    ),
    # Territory and its aggregates: everyone; the people in it: agencies.
    "Region": T(EVERYONE, "id code name nameRu isoCode districts statistics monthly"),
    "District": T(EVERYONE, "id code name regionCode region mahallas statistics monthly"),
    "Mahalla": T(
        EVERYONE,
        "id code name stir districtCode lastConfirmedAt district assistant statistics",
        {
            "households": AGENCY,
            "persons": AGENCY,
            # Mahalla-level diagnoses (issue 18): the agencies', inside their territory.
            "monthly": AGENCY,
            "assistantRating": AGENCY,
            "categoryDisagreements": AGENCY,
            "notebookFindings": AGENCY,
        },
    ),
    # The assistant directory: a khokim assistant's name, mahalla and work phone.
    "Assistant": T(
        EVERYONE, "id assistantId fullName phone mahallaCode appointedOn isCurrent mahalla"
    ),
    "Statistics": T(
        EVERYONE,
        "mahallaCount population households householdsByAssessedCategory "
        "householdsByComputedCategory categoryMismatches employment land loansByProgramme "
        "notebookEntries appeals computedAt",
    ),
    "HouseholdCategoryCounts": T(EVERYONE, "category1 category2 category3 category4 unknown"),
    "EmploymentStatistics": T(
        EVERYONE, "employed unemployed selfEmployed entrepreneurs publicWorks inTraining"
    ),
    "LandStatistics": T(EVERYONE, "activeLeases leasedAreaHa"),
    "ProgrammeFinancing": T(EVERYONE, "programme count amount"),
    "NotebookCount": T(EVERYONE, "notebook persons"),
    "AppealStatistics": T(EVERYONE, "total open byTopic"),
    "TopicCount": T(EVERYONE, "topic appeals"),
    "PageInfo": T(EVERYONE, "hasNextPage hasPreviousPage startCursor endCursor"),
    # The diagnostics (issue 18): monthly series (a district's and above are public, with
    # small counts suppressed; a mahalla's the agencies'), the bodies' open rating (public),
    # the assistants' rating and a mahalla's disagreements and findings (agencies; who a
    # finding is about, and why, needs `personal`).
    # `values` hides the public's small counts item by item itself (in its list).
    "IndicatorMonth": T(EVERYONE, "month figures names values revisions"),
    "IndicatorFigure": T(EVERYONE, "name value"),
    "IndicatorRevision": T(EVERYONE, "name oldValue newValue reason revisedAt"),
    "BodyRating": T(
        EVERYONE,
        "quarter body received resolved resolutionRate medianDays p90Days overdueOpen rank",
    ),
    "AssistantRating": T(
        AGENCY,
        "quarter mahallaCode assistantId districtCode regionCode score rankInDistrict "
        "rankInRegion rankInCountry components mahalla assistant",
        rows=TERRITORY,
    ),
    "RatingComponent": T(AGENCY, "name value perHouseholds weight points"),
    "CategoryDisagreement": T(
        AGENCY,
        "assessedCategory computedCategory incomeCategory rule explanation records members "
        "ableAdults statedIncome declaredIncome wageIncome subsidyIncome landIncome income "
        "incomeBasis perCapitaIncome minimumConsumption asOf rulesVersion household",
        rows=TERRITORY,
    ),
    "NotebookFinding": T(
        AGENCY,
        "notebook kind asOf",
        {"person": PERSONAL, "household": PERSONAL, "reason": PERSONAL, "records": PERSONAL},
        rows=TERRITORY,
    ),
    # People.
    "Person": T(
        AGENCY,
        "id hubId sex occupation mahallaCode createdAt updatedAt lastConfirmedAt household "
        "householdRelation mahalla notebookEntries sourceRecords conflicts",
        {
            "pinfl": PERSONAL,
            "fullName": PERSONAL,
            "surname": PERSONAL,
            "givenName": PERSONAL,
            "patronymic": PERSONAL,
            "birthOn": PERSONAL,
            "taxRegistrations": _tax(),
            "employmentHistory": source("employment"),
            "landLeases": _land(),
            "loans": _bank(),
            "appeals": _appeals(),
        },
        rows=TERRITORY,
    ),
    "Household": T(
        AGENCY,
        "id hubId surveyId mahallaCode surveyedOn assessedCategory computedCategory "
        "categoryMismatch monthlyIncome plotSotix needs lastConfirmedAt mahalla surveyedBy "
        "members",
        {"address": PERSONAL, "plotLeases": _land()},
        rows=TERRITORY,
    ),
    "Address": T(AGENCY, "street house apartment"),
    # A member is listed when its person is (the loader filters by the person's mahalla).
    "HouseholdMember": T(AGENCY, "memberNo relation person", rows=TERRITORY),
    # A source's own records: that source's scope.
    "TaxRegistration": T(
        _tax(),
        "id tin regime activityCode registeredOn closedOn isOpen declaredIncome taxYear "
        "mahallaCode sourceUpdatedAt lastConfirmedAt person",
        {"address": _tax(PERSONAL_SCOPE)},
        rows=TERRITORY,
    ),
    "EmploymentRecord": T(
        source("employment"),
        "id recordNo status statusOn employerTin referral mahallaCode sourceFile "
        "lastConfirmedAt person",
        rows=TERRITORY,
    ),
    "LandLease": T(
        _land(),
        "id leaseId contract status isCurrent lesseeKind startOn endOn snapshotOn "
        "lastConfirmedAt parcel person household business",
        {"lesseeName": _land(PERSONAL_SCOPE)},
    ),
    "Parcel": T(_land(), "id cadastre mahallaCode areaHa purpose crop", rows=TERRITORY),
    "Business": T(AGENCY, "id tin name mahallaCode sources", rows=TERRITORY),
    "BusinessSource": T(AGENCY, "source recordKey role"),
    "Loan": T(
        _bank(),
        "id loanId bankMfo kind programme amount issuedOn termMonths status purpose "
        "mahallaCode lastConfirmedAt person",
        {"borrowerName": _bank(PERSONAL_SCOPE)},
        rows=TERRITORY,
    ),
    "NotebookEntry": T(AGENCY, "id notebook source recordKey enteredOn person"),
    "Appeal": T(
        _appeals(),
        "id appealId receivedAt channel topic addressedTo status isOpen resolvedAt "
        "mahallaCode person",
        {
            "applicantName": _appeals(PERSONAL_SCOPE),
            "applicantPhone": _appeals(PERSONAL_SCOPE),
        },
        rows=TERRITORY,
    ),
    # Provenance and linkage: an agency's own sources' records (under its persons), the
    # engineer's review lists.
    "SourceRecord": T(
        _REVIEW,
        "id source recordKey kind firstSeenAt lastSeenAt pinflIssue matchMethod matchScore link "
        "firstDelivery lastDelivery",
        rows=(SOURCE_SCOPE, TERRITORY),
    ),
    "RecordLink": T(
        _REVIEW,
        "method matchProbability matchWeight unlinkedReason modelVersion linkedAt "
        "matchedRecord contributions",
    ),
    "LinkContribution": T(_REVIEW, "comparison level log2BayesFactor"),
    "PersonConflict": T(
        AGENCY,
        "id attribute source recordKey detectedAt kind otherSource otherRecordKey",
        {"value": PERSONAL, "survivingValue": PERSONAL, "detail": PERSONAL},
        rows=SOURCE_SCOPE,
    ),
    # Pipeline state. A delivery is also the provenance of an agency's source records
    # (which file, when, how many rows): the pipeline's internals stay the engineer's.
    "Delivery": T(
        AGENCY_OR_ENGINEER,
        "id deliveryId source name status startedAt finishedAt delivered accepted rejected "
        "duplicateKeys confirmedAt",
        {
            "fingerprint": ENGINEER,
            "cursorFrom": ENGINEER,
            "cursorTo": ENGINEER,
            "message": ENGINEER,
            "runId": ENGINEER,
        },
    ),
    "SourceSummary": T(
        ENGINEER,
        "source deliveries delivered accepted rejected lastSucceededAt lastFailedAt "
        "lastFailureMessage openRejects heldDeliveries quarantinedFiles",
    ),
    "Quarantine": T(ENGINEER, "counts records"),
    "RejectCount": T(ENGINEER, "source rule status count"),
    "QuarantinedRecord": T(
        ENGINEER,
        "id rejectId source recordKey stage rule reasons origin status createdAt "
        "resolvedAt seenCount lastSeenAt delivery",
        {"raw": _ENGINEER_PERSONAL},
    ),
    **_connections("Region", "District", "Mahalla"),
    **_connections(
        "Person",
        "Household",
        "HouseholdMember",
        "TaxRegistration",
        "EmploymentRecord",
        "LandLease",
        "Loan",
        "NotebookEntry",
        "Appeal",
        "PersonConflict",
        rule=AGENCY,
    ),
    **_connections("SourceRecord", rule=AGENCY_OR_ENGINEER),
    **_connections("BodyRating"),
    **_connections("AssistantRating", "CategoryDisagreement", "NotebookFinding", rule=AGENCY),
    # The audit log (`hub.api.access.queries`): what a request asked (its variables may
    # hold a PINFL or a name) and whom it returned need `personal`.
    "AuditLogEntry": T(
        ENGINEER,
        "sequence at keyId owner role operationName documentHash resultBytes prevHash rowHash",
        {"variables": _ENGINEER_PERSONAL, "personIds": _ENGINEER_PERSONAL},
    ),
    **_connections("Delivery", "QuarantinedRecord", "AuditLogEntry", rule=ENGINEER),
}
