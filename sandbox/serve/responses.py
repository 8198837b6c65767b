"""JSON responses of the fake agencies, with errors that name the parameter and the rule."""

from __future__ import annotations

import orjson
from starlette.responses import Response


class BadParameterError(ValueError):
    """A query parameter breaks the contract (the API answers 400)."""


def json_bytes(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json")


def error(status: int, message: str) -> Response:
    return json_bytes(orjson.dumps({"error": message}), status)


def int_param(value: str | None, name: str, default: int, low: int, high: int | None) -> int:
    """An integer query parameter within [low, high]; raises BadParameterError otherwise."""
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as err:
        raise BadParameterError(f"Parameter {name}={value!r} is not an integer.") from err
    if number < low or (high is not None and number > high):
        upper = "" if high is None else f"..{high}"
        raise BadParameterError(f"Parameter {name}={number} is outside {low}{upper}.")
    return number
