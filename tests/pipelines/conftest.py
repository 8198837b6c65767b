"""A small sandbox world, its fake agencies over real HTTP, and resources pointing at them."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.resources import BankAgency, FolderAgency, HubDatabase, TaxAgency
from sandbox.generate.settings import noise_preset
from sandbox.generate.world import generate_world
from sandbox.serve.app import create_agency_app
from sandbox.serve.in_thread import serve_in_thread
from sandbox.serve.settings import AgencySettings, FaultSettings

WORLD_PEOPLE = 2_500
FILE_SOURCES = ("registry", "survey", "employment", "land", "appeals")


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = tmp_path_factory.mktemp("world")
    generate_world(world, WORLD_PEOPLE, seed=7)
    return world


@pytest.fixture
def world(world_template: Path, tmp_path: Path) -> Path:
    """A private copy: tests may add, change or break delivery files."""
    copy = tmp_path / "world"
    shutil.copytree(world_template, copy)
    return copy


@dataclass
class Agencies:
    tax_url: str
    bank_url: str


def agency_settings(down: frozenset[str] = frozenset()) -> AgencySettings:
    return AgencySettings(faults=FaultSettings(down=down))


@pytest.fixture
def agencies(world: Path) -> Iterator[Agencies]:
    with serve_in_thread(create_agency_app(world, agency_settings())) as url:
        yield Agencies(f"{url}/tax", f"{url}/bank")


@pytest.fixture
def tax_down_agencies(world: Path) -> Iterator[Agencies]:
    """The same world's agencies with the tax API answering 503 to everything."""
    app = create_agency_app(world, agency_settings(frozenset({"tax"})))
    with serve_in_thread(app) as url:
        yield Agencies(f"{url}/tax", f"{url}/bank")


@contextmanager
def _serve(world: Path) -> Iterator[Agencies]:
    with serve_in_thread(create_agency_app(world, agency_settings())) as url:
        yield Agencies(f"{url}/tax", f"{url}/bank")


@pytest.fixture
def serve_agencies() -> Callable[[Path], AbstractContextManager[Agencies]]:
    """`with serve_agencies(world) as agencies:` the fake agencies of another world."""
    return _serve


@pytest.fixture(scope="session")
def corrupt_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A world with 5% of every source's delivered rows made unreadable on purpose."""
    world = tmp_path_factory.mktemp("corrupt-world")
    generate_world(world, WORLD_PEOPLE, seed=11, noise=noise_preset("default", corrupt_rate=0.05))
    return world


ResourceFactory = Callable[..., dict[str, object]]


@pytest.fixture
def hub_resources(world: Path, tmp_path: Path) -> ResourceFactory:
    """`hub_resources(database_url, agencies, world=None)`: every resource the definitions
    need, reading the test's world unless another folder is given."""

    def build(
        database_url: str, agencies: Agencies, other_world: Path | None = None
    ) -> dict[str, object]:
        return _resources(database_url, tmp_path / "landing", other_world or world, agencies)

    return build


def _resources(
    database_url: str, landing: Path, world: Path, agencies: Agencies
) -> dict[str, object]:
    resources: dict[str, object] = {
        "hub_db": HubDatabase(
            database_url=database_url,
            landing_dir=str(landing),
            reports_dir=str(landing.parent / "reports"),
        ),
        "tax_agency": TaxAgency(
            base_url=agencies.tax_url,
            token="sandbox-tax-token",
            max_attempts=2,
            base_delay_seconds=0.01,
        ),
        "bank_agency": BankAgency(
            base_url=agencies.bank_url,
            api_key="sandbox-bank-key",
            max_attempts=2,
            base_delay_seconds=0.01,
        ),
    }
    for source in FILE_SOURCES:
        # The world is written whole before any run: no file is still being written.
        resources[f"{source}_agency"] = FolderAgency(folder=str(world / source), settle_seconds=0)
    return resources
