"""`described`: strawberry's `field(...)` decorator with its type kept for mypy.

`strawberry.field(description=...)` is typed as returning `Any`, which `mypy --strict`
reports as an untyped decorator on every resolver; this wrapper says what it does to the
function's type (nothing), exactly as the bare `@strawberry.field` is typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

F = TypeVar("F", bound=Callable[..., Any])


def described(description: str, *, name: str | None = None) -> Callable[[F], F]:
    decorator: Callable[[F], F] = strawberry.field(description=description, name=name)
    return decorator
