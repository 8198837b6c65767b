"""Choosing the linkage backend: validated configuration, Java found or a clear error, and
no Spark in a process that links on DuckDB. None of these starts a JVM."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub.config import ConfigurationError
from hub.identity.linkage import resolve_identities
from hub.identity.linkage.backend_settings import LinkageBackendSettings, load_backend_settings
from hub.identity.linkage.spark_dialect import DialectError, to_spark_sql
from tests.hub.identity.linkage.mentions import frame, mention


def test_the_backend_is_duckdb_unless_configured() -> None:
    assert load_backend_settings({}) == LinkageBackendSettings(backend="duckdb")
    chosen = load_backend_settings(
        {
            "HUB_LINKAGE_BACKEND": " Spark ",
            "HUB_SPARK_MASTER": "local[4]",
            "HUB_SPARK_DRIVER_MEMORY": "6G",
            "HUB_SPARK_SHUFFLE_PARTITIONS": "16",
        }
    )
    assert chosen == LinkageBackendSettings("spark", "local[4]", "6g", 16)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HUB_LINKAGE_BACKEND", "postgres", "HUB_LINKAGE_BACKEND has value 'postgres'"),
        ("HUB_SPARK_MASTER", "local[0]", "HUB_SPARK_MASTER has value 'local[0]'"),
        ("HUB_SPARK_DRIVER_MEMORY", "lots", "HUB_SPARK_DRIVER_MEMORY has value 'lots'"),
        ("HUB_SPARK_SHUFFLE_PARTITIONS", "0", "HUB_SPARK_SHUFFLE_PARTITIONS has value '0'"),
        ("HUB_SPARK_SHUFFLE_PARTITIONS", "many", "HUB_SPARK_SHUFFLE_PARTITIONS has value"),
    ],
)
def test_a_bad_backend_setting_is_refused_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        load_backend_settings({variable: value})


def test_linking_with_an_unknown_backend_fails_before_any_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUB_LINKAGE_BACKEND", "sparkk")
    mentions = frame(
        mention("tax", "T1", full_name="Karimov Aziz", pinfl=None),
        mention("bank", "B1", full_name="Karimov Aziz", pinfl=None),
    )
    with pytest.raises(ConfigurationError, match="Not a linkage backend: use 'duckdb' or 'spark'"):
        resolve_identities(mentions)


def test_spark_without_java_is_a_clear_error(tmp_path: Path) -> None:
    from hub.identity.linkage.spark_session import SparkUnavailableError, java_executable

    with pytest.raises(SparkUnavailableError, match="no 'java' on PATH and JAVA_HOME is not"):
        java_executable({"PATH": str(tmp_path)})
    with pytest.raises(SparkUnavailableError, match=r"JAVA_HOME is .* but has no bin/java"):
        java_executable({"JAVA_HOME": str(tmp_path), "PATH": ""})
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\n")
    java.chmod(0o755)
    assert java_executable({"JAVA_HOME": str(tmp_path / "jdk")}) == java


def test_linking_on_duckdb_never_imports_spark() -> None:
    script = (
        "import sys\n"
        "from tests.hub.identity.linkage.mentions import frame, mention\n"
        "from hub.identity.linkage import resolve_identities\n"
        "m = frame(mention('tax', 'T1', full_name='Karimov Aziz'),"
        " mention('bank', 'B1', full_name='Karimov Aziz'))\n"
        "assert resolve_identities(m).assignments.height == 2\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in {'pyspark', 'py4j'}))\n"
    )
    root = Path(__file__).resolve().parents[4]
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env={"PATH": "", "HUB_LINKAGE_BACKEND": "duckdb", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_model_sql_is_rewritten_for_spark() -> None:
    assert to_spark_sql('"pinfl_l" = "pinfl_r"') == "`pinfl_l` = `pinfl_r`"
    assert (
        to_spark_sql('jaro_winkler_similarity("given_key_l", "given_key_r") >= 0.93')
        == "JARO_WINKLER(`given_key_l`, `given_key_r`) >= 0.93"
    )
    assert to_spark_sql('l."tin" = r."tin"') == "l.`tin` = r.`tin`"
    assert to_spark_sql("ELSE") == "ELSE"


def test_a_model_condition_that_is_not_sql_is_refused() -> None:
    with pytest.raises(DialectError, match=r"Model condition 'pinfl_l = = \(' is not DuckDB SQL"):
        to_spark_sql("pinfl_l = = (")
