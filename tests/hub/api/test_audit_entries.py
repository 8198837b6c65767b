"""The persons an audit entry names when compiled statements told them: each once, sorted,
whatever order and overlap the root fields told them in, without reading the body."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine

from hub.api.audit import AuditRecorder
from hub.api.context import ExecutedOperation
from hub.api.principal import SCOPES, Principal, Role
from hub.api.schema import SCHEMA

AGENCY = Principal(name="agency", role=Role.AGENCY, scopes=SCOPES, key_id="0123456789abcdef")
TWO_ROOTS = """query Two($a: String!, $b: String!) {
  first: person(pinfl: $a) { hubId fullName }
  second: person(pinfl: $b) { hubId fullName }
}"""
AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _recorder() -> AuditRecorder:
    return AuditRecorder(create_engine("sqlite://"), SCHEMA._schema)


def test_told_persons_are_named_once_each_in_sorted_order() -> None:
    told = {"first": ("P3", "P1", "P2"), "second": ("P2", "P0", "P3")}
    operation = ExecutedOperation(TWO_ROOTS, {"a": "1", "b": "2"}, None, told)
    # Not JSON past its first member: the told path must not read it.
    body = b'{"data":{not json'
    [entry] = _recorder().entries(AGENCY, [operation], body, AT)
    assert entry.person_ids == ["P0", "P1", "P2", "P3"]
    assert entry.operation_name == "Two"
    assert entry.result_bytes == len(body)


def test_told_roots_without_persons_write_no_entry() -> None:
    operation = ExecutedOperation(
        TWO_ROOTS, {"a": "1", "b": "2"}, None, {"first": (), "second": ()}
    )
    assert _recorder().entries(AGENCY, [operation], b'{"data":{"first":null}}', AT) == []


def test_a_body_read_back_names_the_same_persons_sorted() -> None:
    # Nothing told: the body is read; the same sorted, distinct persons.
    operation = ExecutedOperation(TWO_ROOTS, {"a": "1", "b": "2"}, None)
    body = (
        b'{"data":{"first":{"hubId":"P3","fullName":"x"},"second":{"hubId":"P1","fullName":"y"}}}'
    )
    [entry] = _recorder().entries(AGENCY, [operation], body, AT)
    assert entry.person_ids == ["P1", "P3"]
