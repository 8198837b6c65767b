"""The saved model's SQL, written for DuckDB, rewritten for Spark SQL.

The model file's comparison levels and blocking rules are DuckDB SQL (the dialect it was
trained in). Splink hands a dictionary's SQL to its backend as it is, and Spark reads it
differently: a double-quoted ``"pinfl_l"`` is a string literal there, not a column, so the
level would silently never hold. Each condition is therefore parsed as DuckDB and written
as Spark by sqlglot (the parser Splink itself uses), with DuckDB's similarity function
named as the UDF in Splink's Spark jar. The m and u values are untouched: it is the same
model, read in another dialect.
"""

from __future__ import annotations

import copy
from typing import Any, Final

import sqlglot
from sqlglot import exp

_SPARK_FUNCTIONS: Final = {
    # DuckDB name (as sqlglot parses it) -> the function Splink's jar registers in Spark.
    exp.JarowinklerSimilarity: "jaro_winkler",
}


class DialectError(ValueError):
    """A model condition that cannot be written in Spark SQL (the model needs a change)."""


def to_spark_sql(condition: str) -> str:
    """One DuckDB condition (a comparison level or a blocking rule) as Spark SQL."""
    if condition.strip().upper() == "ELSE":
        return condition
    try:
        tree = sqlglot.parse_one(condition, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise DialectError(f"Model condition {condition!r} is not DuckDB SQL: {error}") from error
    tree = tree.transform(_rename_functions)
    return tree.sql(dialect="spark")


def spark_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A copy of Splink ``settings`` whose SQL is Spark SQL."""
    converted = copy.deepcopy(settings)
    converted["sql_dialect"] = "spark"
    for comparison in converted["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = to_spark_sql(level["sql_condition"])
    converted["blocking_rules_to_generate_predictions"] = [
        _blocking_rule(rule) for rule in converted["blocking_rules_to_generate_predictions"]
    ]
    return converted


def _blocking_rule(rule: str | dict[str, Any]) -> str | dict[str, Any]:
    if isinstance(rule, str):
        return to_spark_sql(rule)
    return rule | {"blocking_rule": to_spark_sql(rule["blocking_rule"]), "sql_dialect": "spark"}


def _rename_functions(node: exp.Expression) -> exp.Expression:
    for kind, name in _SPARK_FUNCTIONS.items():
        if isinstance(node, kind):
            return exp.Anonymous(this=name, expressions=[node.this, node.expression])
    return node
