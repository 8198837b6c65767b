"""truth/persons.csv and truth/households.csv: who really exists, apart from any delivery."""

from __future__ import annotations

import csv

import numpy as np

from sandbox.generate.context import WorldContext
from sandbox.generate.economy import NOTEBOOKS, OCCUPATIONS
from sandbox.generate.ledger import household_id, person_id
from sandbox.generate.population import RELATIONS
from sandbox.generate.sources.survey import survey_id

PERSONS_HEADER = (
    "person_id", "pinfl", "surname", "given_name", "patronymic", "full_name", "birth_on", "sex",
    "household_id", "relation", "occupation", "notebook", "monthly_income_uzs", "mahalla_code",
)  # fmt: skip
HOUSEHOLDS_HEADER = (
    "household_id", "mahalla_code", "survey_id", "size", "monthly_income_uzs", "category",
    "assessed_category", "iron_notebook", "plot_sotix",
)  # fmt: skip


def write_truth(ctx: WorldContext) -> None:
    """Every person and household, with the values the generator drew for them."""
    p, e = ctx.people, ctx.economy
    truth = ctx.out_dir / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    relation, occupation = p.relation.tolist(), e.occupation.tolist()
    notebook, income, household = e.notebook.tolist(), e.income.tolist(), p.household.tolist()
    female = p.female.tolist()
    with (truth / "persons.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(PERSONS_HEADER)
        for person in range(p.count):
            name = p.true_name(person)
            writer.writerow(
                (
                    person_id(person), ctx.pinfl_text[person], name.surname, name.given,
                    f"{name.father} {name.uzbek_patronymic_word}", name.official,
                    ctx.birth_iso[person], "F" if female[person] else "M",
                    household_id(household[person]), RELATIONS[relation[person]],
                    OCCUPATIONS[occupation[person]], NOTEBOOKS[notebook[person]] or "",
                    income[person], ctx.mahalla_code_of(person),
                )
            )  # fmt: skip
    with (truth / "households.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HOUSEHOLDS_HEADER)
        for hh in range(len(p.hh_size)):
            plot = float(e.hh_plot_sotix[hh])
            writer.writerow(
                (
                    household_id(hh), ctx.mahalla_codes[int(p.hh_mahalla[hh])], survey_id(ctx, hh),
                    int(p.hh_size[hh]), int(e.hh_income[hh]), int(e.hh_category[hh]),
                    int(e.hh_assessed[hh]), int(bool(e.hh_iron[hh])),
                    "" if np.isnan(plot) else plot,
                )
            )  # fmt: skip
