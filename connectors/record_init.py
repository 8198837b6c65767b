"""A faster `__init__` for the frozen, slotted record dataclasses of `connectors.records`.

A connector builds one record per delivered row, so the constructor is on every hot path.
The `__init__` that `dataclasses` writes for a frozen class sets each field with
`object.__setattr__(self, name, value)`, a generic attribute lookup per field; the one
written here calls each slot's own descriptor, which is about twice as fast. The class is
otherwise untouched: the same signature and defaults, still frozen (assignment raises
`FrozenInstanceError`), same `__eq__`, `__hash__`, `__repr__`, `replace()` and pickling.

`slot_builder(cls)` goes further for the very hottest loops (one record per API item): a
positional function that fills an unfrozen twin of the class and then hands the instance its
class, about three times cheaper than even the fast `__init__`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
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


def slot_builder(cls: type[T]) -> Callable[..., T]:
    """`build(*values)`: the instance `cls(*values)` of a frozen `slots=True` dataclass, made
    without going through the frozen class's `__setattr__` (for the hottest loops).

    Every field is passed positionally, in field order, with no defaults. The instance is
    allocated as an unfrozen twin class with the very same slots, filled by plain attribute
    stores (which Python specialises to direct slot writes, about three times faster than
    the descriptor calls of `fast_frozen_init`), then given its class by `__class__`
    assignment, which Python allows only between classes of the same layout. The result is
    an ordinary `cls` instance: `type(x) is cls`, equal to and hashed like `cls(*values)`,
    frozen. Refuses (TypeError) what `fast_frozen_init` refuses, and a class whose layout
    its twin cannot share.
    """
    fields = _check(cls)
    names = [field.name for field in fields]
    twin = type(f"_{cls.__name__}Twin", cls.__bases__, {"__slots__": cls.__dict__["__slots__"]})
    probe: Any = object.__new__(twin)
    probe.__class__ = cls  # raises TypeError if the layouts differ
    namespace: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls}
    body = "".join(f"    self.{name} = {name}\n" for name in names)
    source = (
        f"def build({', '.join(names)}):\n    self = _new(_twin)\n{body}"
        "    self.__class__ = _cls\n    return self\n"
    )
    exec(source, namespace)
    build: Callable[..., T] = namespace["build"]
    build.__qualname__ = build.__name__ = f"build_{cls.__name__}"
    build.__module__ = cls.__module__
    return build
