"""Type names shared by the identity modules and their callers."""

from __future__ import annotations

from typing import Literal, TypeAlias

Sex: TypeAlias = Literal["M", "F"]
"""Sex as the hub stores it: ``"M"`` male, ``"F"`` female."""

__all__ = ["Sex"]
