"""An API over the diagnostics' small world (`world.py`), built once per backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..conftest import Api, api_app_over, built_database
from .world import build_world


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def diagnostics_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    with (
        built_database(request, tmp_path_factory, "diagnostics-api", build_world) as (url, _),
        api_app_over(url, tmp_path_factory.mktemp("d")) as app,
    ):
        yield Api(*app)
