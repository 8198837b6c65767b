"""The Definitions load, and their asset keys, checks, jobs, schedules and sensors are as pinned."""

from __future__ import annotations

from dagster import AssetKey, MultiPartitionKey

from pipelines.definitions import defs
from pipelines.regions.months import REGION_MONTHS

SOURCES = ("registry", "survey", "tax", "employment", "land", "bank", "appeals")


def test_definitions_snapshot() -> None:
    repository = defs.get_repository_def()
    asset_keys = {key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()}
    assert asset_keys == {
        f"{stage}_{source}" for source in SOURCES for stage in ("raw", "staged", "loaded")
    } | {
        "household_categories",
        "notebook_findings",
        "monthly_indicators",
        "body_ratings",
        "assistant_ratings",
        "mahalla_diagnostics",
        "monthly_report",
        "linked_country",
    } | {f"region_loaded_{source}" for source in SOURCES if source != "registry"}
    check_keys = {
        (key.asset_key.to_user_string(), key.name)
        for key in repository.asset_graph.asset_check_keys
    }
    assert ("staged_survey", "survey_members_structure") in check_keys
    assert ("staged_survey", "survey_households_quality") in check_keys
    assert ("loaded_land", "no_held_delivery") in check_keys
    assert ("raw_bank", "delivered_recently") in check_keys
    # Two checks for each of the nine staged tables; per source one held-delivery check and
    # one freshness check.
    assert len(check_keys) == 2 * 9 + 7 + 7
    assert {job.name for job in repository.get_all_jobs() if not job.name.startswith("__")} == {
        "hub_main_job",
        "monthly_job",
        "intake_job",
        "region_first_job",
        "region_months_job",
        "region_last_job",
        "country_job",
        *(f"{source}_job" for source in SOURCES),
    }
    assert {s.name for s in repository.schedule_defs} == {"tax_schedule", "bank_schedule"}
    assert {s.name for s in repository.sensor_defs} == {
        "registry_folder_sensor",
        "survey_folder_sensor",
        "employment_folder_sensor",
        "land_folder_sensor",
        "appeals_folder_sensor",
        "record_failed_runs",
        "monthly_after_loads",
    }


def test_every_source_waits_for_the_register_and_diagnostics_wait_for_every_load() -> None:
    graph = defs.get_repository_def().asset_graph
    for source in SOURCES:
        parents = graph.get(AssetKey(f"staged_{source}")).parent_keys
        if source != "registry":
            assert AssetKey("loaded_registry") in parents
        assert AssetKey(f"raw_{source}") in parents
    # Run by region, the country-wide step comes after every region's loads.
    loads = {AssetKey(f"loaded_{source}") for source in SOURCES} | {AssetKey("linked_country")}
    assert graph.get(AssetKey("household_categories")).parent_keys == loads
    assert graph.get(AssetKey("notebook_findings")).parent_keys == {
        AssetKey("household_categories")
    }
    indicators = graph.get(AssetKey("mahalla_diagnostics")).parent_keys
    assert indicators == loads | {AssetKey("household_categories")}


def test_every_asset_states_its_contract_in_a_description() -> None:
    graph = defs.get_repository_def().asset_graph
    for key in graph.get_all_asset_keys():
        description = graph.get(key).description or ""
        assert len(description) > 30, key


def test_region_loads_are_partitioned_by_region_and_chained_in_load_order() -> None:
    repository = defs.get_repository_def()
    graph = repository.asset_graph
    regional = [source for source in SOURCES if source != "registry"]
    for index, source in enumerate(regional):
        node = graph.get(AssetKey(f"region_loaded_{source}"))
        assert node.partitions_def is not None
        if source == "employment":
            assert node.partitions_def == REGION_MONTHS
        else:
            assert len(node.partitions_def.get_partition_keys()) == 14
        expected = {AssetKey(f"staged_{source}")}
        if index:
            expected.add(AssetKey(f"region_loaded_{regional[index - 1]}"))
        if source == "employment":
            expected.add(node.key)  # the same region's previous month
        assert node.parent_keys == expected
    assert graph.get(AssetKey("linked_country")).parent_keys == {
        AssetKey(f"region_loaded_{regional[-1]}")
    }
    # The demo's job stays unpartitioned: it loads whole deliveries, as before.
    main = {
        key.to_user_string()
        for key in repository.get_job("hub_main_job").asset_layer.selected_asset_keys
    }
    assert "loaded_survey" in main
    assert not any(key.startswith("region_loaded_") or key == "linked_country" for key in main)


def _parents(child: str, key: str, parent: str) -> set[str]:
    graph = defs.get_repository_def().asset_graph
    found = graph.get_parent_partition_keys_for_child(
        key, AssetKey(parent), AssetKey(child)
    ).partitions_subset.get_partition_keys()
    return {str(k) for k in found}


def test_a_region_month_follows_its_previous_month_and_the_next_source_every_month() -> None:
    """employment (region x month) waits for the region's tax load and its own previous
    month; land waits for every month of the region's employment."""
    march = str(MultiPartitionKey({"region": "1703", "month": "2022-03"}))
    assert _parents("region_loaded_employment", march, "region_loaded_employment") == {
        str(MultiPartitionKey({"region": "1703", "month": "2022-02"}))
    }
    assert _parents("region_loaded_employment", march, "region_loaded_tax") == {"1703"}
    months = _parents("region_loaded_land", "1703", "region_loaded_employment")
    assert str(MultiPartitionKey({"region": "1703", "month": "2022-03"})) in months
    assert {key.split("|")[1] for key in months} == {"1703"}
    assert len(months) == len(REGION_MONTHS.get_partition_keys()) // 14
