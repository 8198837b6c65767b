"""Alembic environment for the graph; the URL comes from the caller's config or HUB_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from hub.config import load_settings
from hub.graph.base import Base
from hub.graph.database import create_hub_engine
from hub.graph.models import __all__ as _models  # noqa: F401  (registers every table)

config = context.config
url = config.get_main_option("sqlalchemy.url") or load_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_hub_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
