"""A faster `__init__` for the frozen, slotted record dataclasses of `connectors.records`.

A connector builds one record per delivered row, so the constructor is on every hot path.
The `__init__` that `dataclasses` writes for a frozen class sets each field with
`object.__setattr__(self, name, value)`, a generic attribute lookup per field; the one
written here calls each slot's own descriptor, which is about twice as fast. The class is
otherwise untouched: the same signature and defaults, still frozen (assignment raises
`FrozenInstanceError`), same `__eq__`, `__hash__`, `__repr__`, `replace()` and pickling.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def _check(cls: type[Any]) -> list[dataclasses.Field[Any]]:
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots=True")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has __post_init__, which this __init__ would skip")
    fields = list(dataclasses.fields(cls))
    for field in fields:
        plain = field.init and field.kw_only is not True
        if not plain or field.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{field.name}: only plain fields are supported")
    return fields


def fast_frozen_init(cls: type[T]) -> type[T]:
    """Replace the `__init__` of a frozen `slots=True` dataclass by a slot-setting one.

    Refuses (TypeError) classes it cannot reproduce exactly: fields with `init=False`,
    `kw_only` or a `default_factory`, and classes with `__post_init__`.
    """
    fields = _check(cls)
    namespace: dict[str, Any] = {}
    params, body = [], []
    for field in fields:
        name = field.name
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        if field.default is dataclasses.MISSING:
            params.append(name)
        else:
            namespace[f"_default_{name}"] = field.default
            params.append(f"{name}=_default_{name}")
        body.append(f"    _set_{name}(self, {name})\n")
    # Generated from source as `dataclasses` itself does: one flat function, no loop.
    lines = "".join(body) or "    pass\n"
    source = f"def __init__(self, {', '.join(params)}):\n{lines}"
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    type.__setattr__(cls, "__init__", init)
    return cls
