"""The closed value sets of the graph as GraphQL enums (values as the graph stores them).

The codes are those of contracts/SOURCES.md, which the pipeline validates before loading,
so a stored value outside its enum is a data-layer defect: it fails loudly (masked and
logged) rather than being shown as something else.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=Enum)


def enum_value(enum: type[E], value: str) -> E:
    """The member of `enum` whose value is the stored `value` (ValueError if none).

    Looked up in the enum's own value map first: calling the enum class costs several
    times more, and a page of persons converts hundreds of values."""
    member = enum._value2member_map_.get(value)
    return enum(value) if member is None else member  # type: ignore[return-value]


def optional_enum(enum: type[E], value: str | None) -> E | None:
    return None if value is None else enum_value(enum, value)


@strawberry.enum(description="Sex as recorded: M or F.")
class Sex(Enum):
    MALE = "M"
    FEMALE = "F"


@strawberry.enum(description="The social notebook a person was entered in.")
class Notebook(Enum):
    IRON = "iron"
    WOMEN = "women"
    YOUTH = "youth"


@strawberry.enum(description="A member's relation to the head of the household (survey).")
class Relation(Enum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDCHILD = "grandchild"
    OTHER = "other"


@strawberry.enum(description="A person's occupation as the survey recorded it.")
class Occupation(Enum):
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


@strawberry.enum(description="What a household asked for in the survey.")
class Need(Enum):
    VOCATIONAL_TRAINING = "vocational_training"
    JOB = "job"
    SUBSIDY = "subsidy"
    LOAN = "loan"
    LAND = "land"
    HOUSING_REPAIR = "housing_repair"
    MEDICAL = "medical"
    SOCIAL_AID = "social_aid"


@strawberry.enum(description="Tax regime of a registration.")
class TaxRegime(Enum):
    SELF_EMPLOYED = "self_employed"
    INDIVIDUAL_ENTREPRENEUR = "individual_entrepreneur"


@strawberry.enum(description="Status of an employment-agency record.")
class EmploymentStatus(Enum):
    UNEMPLOYED = "unemployed"
    EMPLOYED = "employed"
    PUBLIC_WORKS = "public_works"
    SELF_EMPLOYED = "self_employed"
    TRAINING = "training"


@strawberry.enum
class LeaseStatus(Enum):
    ACTIVE = "active"
    TERMINATED = "terminated"


@strawberry.enum
class LandPurpose(Enum):
    HOUSEHOLD_PLOT = "household_plot"
    FARMING = "farming"
    GREENHOUSE = "greenhouse"
    ORCHARD = "orchard"


@strawberry.enum
class LesseeKind(Enum):
    PERSON = "person"
    LEGAL_ENTITY = "legal_entity"


@strawberry.enum
class LoanKind(Enum):
    LOAN = "loan"
    SUBSIDY = "subsidy"


@strawberry.enum(description="The state programme a loan or subsidy was issued under.")
class LoanProgramme(Enum):
    FAMILY_ENTREPRENEURSHIP = "family_entrepreneurship"
    YOUTH_NOTEBOOK = "youth_notebook"
    WOMEN_NOTEBOOK = "women_notebook"
    IRON_NOTEBOOK = "iron_notebook"
    MICROLOAN = "microloan"
    SUBSIDY = "subsidy"


@strawberry.enum
class LoanStatus(Enum):
    ACTIVE = "active"
    REPAID = "repaid"
    OVERDUE = "overdue"
    WRITTEN_OFF = "written_off"


@strawberry.enum
class AppealChannel(Enum):
    VIRTUAL_RECEPTION = "virtual_reception"
    PEOPLE_RECEPTION = "people_reception"
    HOTLINE = "hotline"
    ASSISTANT = "assistant"


@strawberry.enum
class AppealTopic(Enum):
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


@strawberry.enum(description="received and in_progress appeals are open.")
class AppealStatus(Enum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"


OPEN_APPEAL_STATUSES = ("received", "in_progress")


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"
