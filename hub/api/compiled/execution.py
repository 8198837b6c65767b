"""The hook: root fields whose selection compiles are answered by one statement each.

`CompiledExecutionContext` executes the operation's root fields itself. For each root
field it walks the selection (`hub.api.compiled.selection`), plans the root
(`hub.api.compiled.roots`) and takes the statement built for that shape
(`hub.api.compiled.compile`; built once per shape and kept, see `_STATEMENTS`). The
statement's one value is the field's JSON, spliced into the response as it comes
(`orjson.Fragment`) when the view encodes the response (`Context.raw_json`), decoded
otherwise. Nothing walks the fields in Python.

The field goes the regular way (strawberry's resolvers over the DataLoaders, through the
base execution context) when its selection does not compile (`NotCompiled`); when a
single-object root finds no row (the resolver then raises NOT_FOUND, with its message,
path and extensions); when the JSON holds the `INVALID` marker (a stored value GraphQL
cannot show: the resolver then fails exactly as graphql-core fails it). A statement that
fails is the field's error, located and masked as a resolver's error would be. Fields the
caller sees only with scopes its key lacks are null in the JSON, which is then decoded to
add their FORBIDDEN errors (`hub.api.compiled.masks`). The statement of a root field that
returns persons may also say which (`hub.api.compiled.audited`, for the audit log), unless
nothing audits the request (`Context.audited`).
"""

from __future__ import annotations

import logging
from asyncio import gather
from collections.abc import Hashable
from typing import Any

import orjson
from graphql import FieldNode, GraphQLObjectType, located_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path
from sqlalchemy import Select
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.api.access.guard import forbidden_arguments
from hub.api.compiled.audited import NONE, ONE, PAGE, PersonsKind, persons_kind
from hub.api.compiled.compile import Builder
from hub.api.compiled.json_sql import INVALID_JSON_TEXT, NotCompiled, json_sql_for
from hub.api.compiled.masks import Mask, mask_errors
from hub.api.compiled.memo import RootMemo, root_key
from hub.api.compiled.roots import plan_root
from hub.api.compiled.selection import ACCESS_LOW, Sel, Walk, named_object
from hub.api.context import CURRENT_OPERATION, Context

logger = logging.getLogger("hub.api.compiled")

# Statements by (database, root shape, selection), with how they tell their persons
# (`hub.api.compiled.audited`); a text: why that shape does not compile.
_Built = tuple[Select[Any], PersonsKind | None]
_STATEMENTS: dict[tuple[str, Hashable, Sel, bool, bool], _Built | str] = {}
_KEPT = 1024
_MISSING = object()


class Compiled:
    """A root field's statement and its parameters."""

    __slots__ = ("masks", "nullable", "params", "persons", "single", "statement")

    def __init__(
        self,
        statement: Select[Any],
        params: dict[str, Any],
        single: bool,
        nullable: bool,
        persons: PersonsKind | None = None,
        masks: tuple[Mask, ...] = (),
    ) -> None:
        self.statement = statement
        self.params = params
        self.single = single
        self.nullable = nullable
        self.persons = persons
        self.masks = masks

    def persons_of(self, row: Any) -> tuple[str, ...]:
        """The hub ids of the persons in the statement's `row` (a `persons` kind only)."""
        if self.persons == ONE:
            return (row[1],)
        if self.persons == PAGE:  # a list from the driver, NULL for an empty page
            return tuple(row[1] or ())
        return ()


# Each request's compiled root fields, kept by request (`hub.api.compiled.memo`).
ROOTS: RootMemo[Compiled] = RootMemo()


def compile_root(
    context: Any, dialect_name: str, query_type: GraphQLObjectType, nodes: list[FieldNode]
) -> Compiled:
    """The statement answering the root field `nodes` (of `query_type`) in `context`, an
    execution context; `NotCompiled` when it goes the regular way."""
    name = nodes[0].name.value
    field_def = query_type.fields.get(name)
    if field_def is None:
        raise NotCompiled(f"Query.{name}")
    walk = Walk(context)
    walk.check_field(query_type.name, name)
    arguments = get_argument_values(field_def, nodes[0], context.variable_values)
    if forbidden_arguments(query_type.name, name, arguments, walk.principal) is not None:
        raise NotCompiled(f"Query.{name}: a search by personal data without the scope")
    root = plan_root(name, arguments, walk)
    alias = nodes[0].alias.value if nodes[0].alias else name
    object_type: GraphQLObjectType | None = None
    if root.branches:
        # `nodes`: the selection walked on each id's concrete type, a branch per id.
        children = tuple(
            Sel(str(index), branch, walk.root_selection(_object(context, branch), nodes))
            for index, branch in enumerate(root.branches)
        )
        if walk.masks:
            # The masks' errors are placed by response keys, which objects of the
            # different types in one list do not share (`hub.api.compiled.masks`).
            raise NotCompiled("nodes with masked fields")
        sel = Sel(alias, name, children, root.page)
    else:
        object_type = (
            _object(context, root.type_name)
            if root.type_name is not None
            else named_object(field_def.type)
        )
        if object_type is None:
            raise NotCompiled(f"Query.{name}")
        sel = Sel(alias, name, walk.root_selection(object_type, nodes), root.page)
    # The caller's territory filters the statement (its codes are parameters).
    territory = ACCESS_LOW in walk.params
    # Nothing reads the persons when the request is not audited: no column for them.
    audited = getattr(context.context_value, "audited", True)
    key = (dialect_name, root.shape, sel, territory, audited)
    statement = _STATEMENTS.get(key, _MISSING)
    if statement is _MISSING:
        if len(_STATEMENTS) >= _KEPT:
            _STATEMENTS.clear()
        builder = Builder(context.schema, json_sql_for(dialect_name), territory=territory)
        # (`object_type`: a single root's object, a list root's connection; `nodes`'
        # persons are read from its JSON.)
        persons = (
            None
            if object_type is None or not audited
            else persons_kind(object_type, sel, single=root.single)
        )
        try:
            statement = (root.build(builder, sel, persons), persons)
        except NotCompiled as exc:
            statement = str(exc)
        _STATEMENTS[key] = statement
    if isinstance(statement, str):
        raise NotCompiled(statement)
    assert isinstance(statement, tuple)
    return Compiled(
        statement[0], walk.params, root.single, root.nullable, statement[1], tuple(walk.masks)
    )


def _object(context: Any, type_name: str) -> GraphQLObjectType:
    object_type = context.schema.type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    return object_type


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution (graphql-core's) with root fields answered by compiled
    statements where they compile."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        fields: dict[str, list[FieldNode]],
    ) -> AwaitableOrValue[dict[str, Any]]:
        context = self.context_value
        if path is not None or parent_type is not self.schema.query_type:
            return super().execute_fields(parent_type, source_value, path, fields)
        if not isinstance(context, Context):
            return super().execute_fields(parent_type, source_value, path, fields)
        plans = self.compile_roots(context, parent_type, fields)
        if not plans:
            return super().execute_fields(parent_type, source_value, path, fields)
        return self.answer(parent_type, source_value, fields, plans)

    def compile_roots(
        self, context: Context, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> dict[str, Compiled]:
        """The statements of the root fields `fields` that compile, by response key."""
        dialect_name = context.db.dialect_name
        plans: dict[str, Compiled] = {}
        for name, nodes in fields.items():
            # A request seen before takes its compiled root field from the memo.
            key = root_key(
                self.operation,
                name,
                self.variable_values,
                context.principal,
                dialect_name,
                context.audited,
            )
            kept = None if key is None else ROOTS.get(key)
            if isinstance(kept, Compiled):
                plans[name] = kept
                continue
            if kept is not None:  # the reason it does not compile
                continue
            try:
                compiled = compile_root(self, dialect_name, parent_type, nodes)
            except NotCompiled as exc:
                if key is not None:
                    ROOTS.put(key, str(exc))
                continue
            except Exception:
                logger.exception("Compiling Query.%s failed.", name)
                continue
            if key is not None:
                ROOTS.put(key, compiled)
            plans[name] = compiled
        return plans

    async def answer(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        fields: dict[str, list[FieldNode]],
        plans: dict[str, Compiled],
    ) -> dict[str, Any]:
        # Every root field at once, as graphql-core gathers them; the first error that
        # reaches the root (a required field failing) fails the operation, as there.
        names = list(fields)
        if len(names) == 1:
            # One root field (most requests): awaited here, without gather's task.
            (name,) = names
            answer = await self._compiled(
                parent_type, source_value, fields[name], name, plans[name]
            )
            return {name: answer}
        answers = await gather(
            *(
                self._compiled(parent_type, source_value, fields[name], name, plans[name])
                if name in plans
                else self._regular(parent_type, source_value, {name: fields[name]}, name)
                for name in names
            )
        )
        return dict(zip(names, answers, strict=True))

    async def _regular(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        fields: dict[str, list[FieldNode]],
        name: str,
    ) -> Any:
        result = super().execute_fields(parent_type, source_value, None, fields)
        if self.is_awaitable(result):
            result = await result  # type: ignore[misc]
        return result[name]  # type: ignore[index]

    async def _compiled(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        nodes: list[FieldNode],
        name: str,
        compiled: Compiled,
    ) -> Any:
        context = self.context_value
        assert isinstance(context, Context)
        try:
            rows = await context.db.fetch_now(compiled.statement, compiled.params)
        except Exception as exc:  # noqa: BLE001 - the field's error, as a resolver's would be
            path = Path(None, name, parent_type.name)
            error = located_error(exc, nodes, path.as_list())
            return self.handle_field_error(error, parent_type.fields[name].type, path)
        row = rows[0] if rows else None
        text = row[0] if row is not None else None
        if text is not None:
            if INVALID_JSON_TEXT not in text:
                _report_persons(name, compiled, row)
                if compiled.masks:
                    return self._masked(text, compiled, name, parent_type, context)
                return orjson.Fragment(text) if context.raw_json else orjson.loads(text)
        elif compiled.nullable:
            _report_persons(name, compiled, row)
            return None  # `node(id:)` of an object that does not exist
        elif not compiled.single:
            logger.error("The compiled statement of Query.%s answered nothing.", name)
        return await self._regular(parent_type, source_value, {name: nodes}, name)

    def _masked(
        self,
        text: str,
        compiled: Compiled,
        name: str,
        parent_type: GraphQLObjectType,
        context: Context,
    ) -> Any:
        """The answer, with a FORBIDDEN error for each masked field in it."""
        value = orjson.loads(text)
        root = Path(None, name, parent_type.name)
        for error, mask, path in mask_errors(value, compiled.masks, root, context.principal):
            self.handle_field_error(error, mask.field_type, path)
        return value


def _report_persons(name: str, compiled: Compiled, row: Any) -> None:
    """Tell the operation being executed which persons the root field `name` returned,
    when its statement says (`hub.api.compiled.audited`; the audit log reads this)."""
    if compiled.persons is None:
        return
    operation = CURRENT_OPERATION.get()
    if operation is None:
        return
    if row is None:
        operation.persons[name] = ()
        return
    operation.persons[name] = compiled.persons_of(row) if compiled.persons != NONE else ()
