"""Import GX and build its ephemeral context once for the whole test session (seconds)."""

from __future__ import annotations

import pytest

from pipelines.quality.gx_session import GxSession, open_session


@pytest.fixture(scope="session")
def gx_session() -> GxSession:
    return open_session()
