"""The replica settings: `HUB_DATABASE_READ_URL` (hub.config) and `HUB_READ_*`, each bad
value refused at start-up with a message naming the variable and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.api.app import create_app
from hub.api.read_settings import ReadRoutingSettings, load_read_settings
from hub.config import ConfigurationError, HubSettings, load_settings

PRIMARY = "postgresql://hub@db-primary/hub"


def test_no_read_url_means_reads_from_the_primary() -> None:
    assert load_settings({"HUB_DATABASE_URL": PRIMARY}).database_read_url is None
    assert (
        load_settings({"HUB_DATABASE_URL": PRIMARY, "HUB_DATABASE_READ_URL": " "}).database_read_url
        is None
    )


def test_the_read_url_is_taken_on_psycopg_3_like_the_primary() -> None:
    # dagster-postgres wants psycopg2 URLs; the hub's engines always use psycopg 3.
    env = {
        "HUB_DATABASE_URL": PRIMARY,
        "HUB_DATABASE_READ_URL": "postgresql+psycopg2://hub@db-replica/hub",
    }
    settings = load_settings(env)
    assert settings.database_read_url == "postgresql+psycopg://hub@db-replica/hub"


@pytest.mark.parametrize(
    ("primary", "replica", "message"),
    [
        (PRIMARY, "not a url", "HUB_DATABASE_READ_URL has value 'not a url'. Not a valid"),
        (PRIMARY, "mysql://hub@replica/hub", "HUB_DATABASE_READ_URL has backend 'mysql'"),
        (PRIMARY, "sqlite:///replica.sqlite3", "A read replica needs PostgreSQL"),
        (
            "sqlite:///hub.sqlite3",
            "postgresql://hub@replica/hub",
            "A read replica needs PostgreSQL",
        ),
    ],
)
def test_a_read_url_that_cannot_be_a_replica_is_refused(
    primary: str, replica: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_settings({"HUB_DATABASE_URL": primary, "HUB_DATABASE_READ_URL": replica})


def test_the_refusal_hides_the_read_urls_password() -> None:
    env = {
        "HUB_DATABASE_URL": "sqlite:///hub.sqlite3",
        "HUB_DATABASE_READ_URL": "postgresql://u:s3cret@r/hub",
    }
    with pytest.raises(ConfigurationError) as refused:
        load_settings(env)
    assert "s3cret" not in str(refused.value) and "u:***@r" in str(refused.value)


def test_read_settings_default_and_from_the_environment() -> None:
    assert load_read_settings({}) == ReadRoutingSettings()
    assert ReadRoutingSettings().max_lag_seconds == 10.0
    env = {
        "HUB_READ_MAX_LAG_SECONDS": "2.5",
        "HUB_READ_LAG_CHECK_SECONDS": "0.5",
        "HUB_READ_RETRY_SECONDS": "1",
        "HUB_READ_RETRY_MAX_SECONDS": "30",
        "HUB_READ_CONNECT_TIMEOUT_SECONDS": "3",
    }
    assert load_read_settings(env) == ReadRoutingSettings(2.5, 0.5, 1.0, 30.0, 3)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HUB_READ_MAX_LAG_SECONDS", "ten", "has value 'ten'. Not a number of seconds."),
        ("HUB_READ_MAX_LAG_SECONDS", "0", "has value '0'. Must be a positive number"),
        ("HUB_READ_MAX_LAG_SECONDS", "-1", "has value '-1'. Must be a positive number"),
        ("HUB_READ_MAX_LAG_SECONDS", "inf", "has value 'inf'. Must be a positive number"),
        ("HUB_READ_LAG_CHECK_SECONDS", "nan", "has value 'nan'. Must be a positive number"),
        ("HUB_READ_RETRY_SECONDS", "1s", "has value '1s'. Not a number of seconds."),
        ("HUB_READ_RETRY_MAX_SECONDS", "1", "Must not be less than HUB_READ_RETRY_SECONDS"),
        ("HUB_READ_CONNECT_TIMEOUT_SECONDS", "1.5", "has value 1.5. Whole seconds only."),
    ],
)
def test_a_bad_read_setting_is_refused_naming_it(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^{name} .*{message.replace('.', '[.]')}"):
        load_read_settings({name: value})


def test_the_api_refuses_to_start_with_a_bad_read_setting_even_without_a_replica(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_READ_MAX_LAG_SECONDS", "soon")
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.sqlite3'}", data_dir=tmp_path)
    with pytest.raises(ConfigurationError, match="HUB_READ_MAX_LAG_SECONDS has value 'soon'"):
        create_app(settings, audit=False)
