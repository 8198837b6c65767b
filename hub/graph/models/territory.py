"""Regions, districts, mahallas and their khokim assistants (source: the registry)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.graph.base import Base
from hub.graph.models.sourced import SourcedMixin
from hub.graph.types import mahalla_code_str, name_str


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[name_str]
    name_ru: Mapped[name_str | None]
    iso_code: Mapped[str | None] = mapped_column(String(6))


class District(Base):
    __tablename__ = "district"

    code: Mapped[str] = mapped_column(String(7), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    name: Mapped[name_str]


class Mahalla(SourcedMixin, Base):
    __tablename__ = "mahalla"

    code: Mapped[mahalla_code_str] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    name: Mapped[name_str]
    stir: Mapped[str | None] = mapped_column(String(9))


class Assistant(SourcedMixin, Base):
    """A khokim assistant's appointment; the latest appointment per mahalla is current."""

    __tablename__ = "assistant"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    full_name: Mapped[name_str]
    phone: Mapped[str | None] = mapped_column(String(20))
    mahalla_code: Mapped[str] = mapped_column(ForeignKey("mahalla.code"), index=True)
    appointed_on: Mapped[date]
    is_current: Mapped[bool] = mapped_column(default=False)
