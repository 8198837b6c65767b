"""Closed value sets of the source contracts (contracts/SOURCES.md) as string enums.

Each enum's values are exactly the contract's codes, so `Need("subsidy")` round-trips. The
employment source delivers Russian words: `EMPLOYMENT_STATUS_RU` and `SEX_RU` map them to
these English codes. `lookup_table` builds the dict a hot loop uses instead of calling the
enum (a dict lookup is several times cheaper than `Enum.__call__`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


def lookup_table(enum: type[E]) -> dict[str, E]:
    """Map every contract code of `enum` to its member."""
    return {member.value: member for member in enum}


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class Relation(StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDCHILD = "grandchild"
    OTHER = "other"


class Occupation(StrEnum):
    EMPLOYED = "employed"
    UNEMPLOYED = "unemployed"
    SELF_EMPLOYED = "self_employed"
    ENTREPRENEUR = "entrepreneur"
    PUBLIC_WORKS = "public_works"
    STUDENT = "student"
    PENSIONER = "pensioner"
    CHILD = "child"
    HOMEMAKER = "homemaker"
    MIGRANT_WORKER = "migrant_worker"
    DISABLED = "disabled"


class Notebook(StrEnum):
    IRON = "iron"
    WOMEN = "women"
    YOUTH = "youth"


class Need(StrEnum):
    VOCATIONAL_TRAINING = "vocational_training"
    JOB = "job"
    SUBSIDY = "subsidy"
    LOAN = "loan"
    LAND = "land"
    HOUSING_REPAIR = "housing_repair"
    MEDICAL = "medical"
    SOCIAL_AID = "social_aid"


class TaxRegime(StrEnum):
    SELF_EMPLOYED = "self_employed"
    INDIVIDUAL_ENTREPRENEUR = "individual_entrepreneur"


class EmploymentStatus(StrEnum):
    UNEMPLOYED = "unemployed"
    EMPLOYED = "employed"
    PUBLIC_WORKS = "public_works"
    SELF_EMPLOYED = "self_employed"
    TRAINING = "training"


EMPLOYMENT_STATUS_RU: dict[str, EmploymentStatus] = {
    "безработный": EmploymentStatus.UNEMPLOYED,
    "трудоустроен": EmploymentStatus.EMPLOYED,
    "общественные работы": EmploymentStatus.PUBLIC_WORKS,
    "самозанятый": EmploymentStatus.SELF_EMPLOYED,
    "обучение": EmploymentStatus.TRAINING,
}

# Cyrillic Эм and Же, as the employment agency writes them.
SEX_RU: dict[str, Sex] = {"М": Sex.MALE, "Ж": Sex.FEMALE}


class LeaseStatus(StrEnum):
    ACTIVE = "active"
    TERMINATED = "terminated"


class LandPurpose(StrEnum):
    HOUSEHOLD_PLOT = "household_plot"
    FARMING = "farming"
    GREENHOUSE = "greenhouse"
    ORCHARD = "orchard"


class LesseeKind(StrEnum):
    PERSON = "person"
    LEGAL_ENTITY = "legal_entity"


class LoanKind(StrEnum):
    LOAN = "loan"
    SUBSIDY = "subsidy"


class LoanProgram(StrEnum):
    FAMILY_ENTREPRENEURSHIP = "family_entrepreneurship"
    YOUTH_NOTEBOOK = "youth_notebook"
    WOMEN_NOTEBOOK = "women_notebook"
    IRON_NOTEBOOK = "iron_notebook"
    MICROLOAN = "microloan"
    SUBSIDY = "subsidy"


class LoanStatus(StrEnum):
    ACTIVE = "active"
    REPAID = "repaid"
    OVERDUE = "overdue"
    WRITTEN_OFF = "written_off"


class AppealChannel(StrEnum):
    VIRTUAL_RECEPTION = "virtual_reception"
    PEOPLE_RECEPTION = "people_reception"
    HOTLINE = "hotline"
    ASSISTANT = "assistant"


class AppealTopic(StrEnum):
    ELECTRICITY = "electricity"
    GAS = "gas"
    WATER = "water"
    ROADS = "roads"
    EMPLOYMENT = "employment"
    HOUSING = "housing"
    LAND = "land"
    MEDICAL = "medical"
    EDUCATION = "education"
    SOCIAL_AID = "social_aid"
    OTHER = "other"


class AppealStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
