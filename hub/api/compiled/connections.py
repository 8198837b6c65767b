"""Relay connections in SQL: a page of related rows as `edges`, `pageInfo` and
`totalCount`, each built only when selected.

The page is the rows `[offset, offset + limit)` of the relation (or root list) in its
order, their position (for the cursors, `hub.api.pagination`'s offsets) by
`row_number()` over that order; `pageInfo` comes from the number of rows in
`[offset, offset + limit + 1)`, as `pagination` derives it from the rows it fetched;
`totalCount` is a count. Offset and limit are bind parameters (`Sel.params`), but a page
from the first row says `OFFSET 0` (`Walk._page_parameters` says why); for `last`
without `before`, the offset is computed in the statement from the count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLObjectType
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    null,
    select,
    type_coerce,
)
from sqlalchemy.types import NullType

from hub.api.compiled.json_sql import JsonSql, NotCompiled, key
from hub.api.compiled.selection import FIRST_ROW, Sel, named_object

Where = Callable[[Any], ColumnElement[bool] | None]
Ordering = Callable[[Any], list[ColumnElement[Any]]]
POSITION = "hub_position"


def typename(name: str) -> ColumnElement[Any]:
    """A type's name as a literal (GraphQL names need no escaping: `key` checks)."""
    return key(name)


class ConnectionBuilder:
    """The connection part of `hub.api.compiled.compile.Builder`."""

    sql: JsonSql

    def access(self, type_name: str, row: Any) -> ColumnElement[bool] | None:
        raise NotImplementedError

    def object_json(self, type_name: str, row: Any, sels: Sequence[Sel]) -> ColumnElement[Any]:
        raise NotImplementedError

    def joined_ones(
        self, node_type: str, source: FromClause, node_sels: Sequence[Sel]
    ) -> tuple[FromClause, list[tuple[Sel, ColumnElement[Any]]]]:
        raise NotImplementedError

    def joined_into(self, page: FromClause, labels: Sequence[tuple[Sel, str]]) -> None:
        raise NotImplementedError

    def connection(
        self,
        connection_type: GraphQLObjectType,
        node_type: str,
        source: FromClause,
        where: Where,
        order: Ordering,
        sel: Sel,
        *,
        paged_in_sql: bool,
        page: FromClause | None = None,
    ) -> ColumnElement[Any]:
        """The connection `sel` over the rows of `source` matching `where`, in `order`
        (`paged_in_sql`: paged in SQL as root lists are, so an empty page has no next page).

        With `page` (a root's `page_of`, the FROM of the enclosing select), the edges are
        aggregated over it in the enclosing select instead of in a subquery of their own,
        so that other aggregates over the same page (the persons' hub ids) read it once."""
        assert sel.children is not None
        filtered = self._filtered(node_type, source, where)
        offset, limit = self._window(sel, filtered, source)

        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for part in sel.children:
            if part.name == "__typename":
                pairs.append((part.alias, typename(connection_type.name)))
            elif part.name == "totalCount":
                total = filtered(select(func.count()).select_from(source)).scalar_subquery()
                pairs.append((part.alias, total))
            elif part.name == "pageInfo":
                assert part.children is not None
                pairs.append(
                    (
                        part.alias,
                        self._page_info(
                            part.children, filtered, source, order, offset, limit, paged_in_sql
                        ),
                    )
                )
            elif part.name == "edges":
                edge_type = named_object(connection_type.fields["edges"].type)
                assert edge_type is not None and part.children is not None
                pairs.append(
                    (
                        part.alias,
                        self._edges(
                            edge_type,
                            node_type,
                            part.children,
                            page
                            if page is not None
                            else self._page(
                                filtered,
                                source,
                                order(source),
                                offset,
                                limit,
                                _node_sels([part]),
                                node_type,
                            ),
                            aggregated=page is not None,
                        ),
                    )
                )
            else:
                raise NotCompiled(f"{connection_type.name}.{part.name}")
        return self.sql.object(pairs)

    def _filtered(self, node_type: str, source: FromClause, where: Where) -> Callable[[Any], Any]:
        """A query over `source` narrowed to the connection's rows: `where` and the
        caller's territory, when its rows are filtered (`Builder.access`)."""
        conditions = [c for c in (where(source), self.access(node_type, source)) if c is not None]

        def filtered(query: Any) -> Any:
            return query.where(*conditions) if conditions else query

        return filtered

    def _page(
        self,
        filtered: Callable[[Any], Any],
        source: FromClause,
        ordering: list[ColumnElement[Any]],
        offset: Any,
        limit: Any,
        node_sels: Sequence[Sel] = (),
        node_type: str = "",
    ) -> Any:
        """The page's rows with their position in the whole list (`POSITION`), and the
        JSON of the to-one relations selected on its nodes (`node_sels`), joined in.

        Joined, not correlated subqueries of the nodes' objects: PostgreSQL chooses the
        page's plan alone, and for a subquery reading the rows in `ordering` through an
        index looks dearer to it than sorting them all (a mahalla's 800 persons to keep
        100); with the relations joined it reads the index in order and stops at the
        page's end, as it does for a join."""
        position = (func.row_number().over(order_by=ordering) - 1).label(POSITION)
        joined, ones = self.joined_ones(node_type, source, node_sels) if node_sels else (source, [])
        labels = [(sel, f"hub_one_{index}") for index, (sel, _) in enumerate(ones)]
        extra = [value.label(label) for (_, value), (_, label) in zip(ones, labels, strict=True)]
        # A derived table does not correlate by itself: its condition names the parent
        # row, which the enclosing statement provides.
        page = (
            filtered(select(*source.c, position, *extra).select_from(joined))
            .correlate_except(source)
            .order_by(*ordering)
            .offset(offset)
            .limit(limit)
            .subquery()
        )
        self.joined_into(page, labels)
        return page

    def _window(
        self, sel: Sel, filtered: Callable[[Any], Any], source: FromClause
    ) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
        """The page's offset and limit, from the parameters `sel.params` names."""
        offset_name, limit_name, *from_end = sel.params
        offset: ColumnElement[Any] = (
            literal_column("0", Integer)
            if offset_name == FIRST_ROW
            else bindparam(offset_name, type_=Integer)
        )
        limit: ColumnElement[Any] = bindparam(limit_name, type_=Integer)
        if not from_end:
            return offset, limit
        # `last` without `before`: the window is `[max(start, total - last), total)`
        # (`pagination.PageWindow.of`), from the first position allowed (`offset`) and
        # `last` (`limit`). It never holds more than `last` rows, so `last` stays the
        # limit; the count, over the relation's own rows, sets the offset.
        total = func.count()
        begin = case((offset > total - limit, offset), else_=total - limit)
        counted = filtered(select(begin).select_from(source)).correlate_except(source)
        return counted.scalar_subquery(), limit

    def page_of(
        self, node_type: str, source: FromClause, where: Where, order: Ordering, sel: Sel
    ) -> FromClause:
        """The page of the root connection `sel` (its rows with their `POSITION`), for
        `connection(..., page=)` and `page_column`."""
        filtered = self._filtered(node_type, source, where)
        offset, limit = self._window(sel, filtered, source)
        edges = [part for part in sel.children or () if part.name == "edges"]
        page: FromClause = self._page(
            filtered, source, order(source), offset, limit, _node_sels(edges), node_type
        )
        return page

    def page_column(self, page: FromClause, column: str) -> ColumnElement[Any]:
        """The values of `column` over `page` (a `page_of`, the FROM of the enclosing
        select; the same rows as the edges), as an array the driver reads as a list, in
        no particular order: the hub ids of a page of persons, say, which the audit log
        sorts. Not JSON and not in the edges' order: a second ordered aggregate sorted
        the page again and wrote each id as JSON (PostgreSQL before 16 sorts the input of
        each ordered aggregate on its own), for about 50 µs of a page of 100's 1 ms."""
        return type_coerce(func.array_agg(page.c[column]), NullType())

    def _edges(
        self,
        edge_type: GraphQLObjectType,
        node_type: str,
        sels: Sequence[Sel],
        page: FromClause,
        *,
        aggregated: bool,
    ) -> ColumnElement[Any]:
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for part in sels:
            if part.name == "__typename":
                pairs.append((part.alias, typename(edge_type.name)))
            elif part.name == "cursor":
                pairs.append((part.alias, self.sql.cursor(page.c[POSITION])))
            elif part.name == "node":
                assert part.children is not None
                pairs.append((part.alias, self.object_json(node_type, page, part.children)))
            else:
                raise NotCompiled(f"{edge_type.name}.{part.name}")
        element = self.sql.object(pairs)
        edges = self.sql.array(element, [page.c[POSITION]])
        if aggregated:  # over the enclosing select's FROM, `page`
            return edges
        return self.sql.embedded(select(edges).select_from(page).scalar_subquery())

    def _page_info(
        self,
        sels: Sequence[Sel],
        filtered: Callable[[Any], Any],
        source: FromClause,
        order: Ordering,
        offset: Any,
        limit: Any,
        paged_in_sql: bool,
    ) -> ColumnElement[Any]:
        window = (
            filtered(select(literal_column("1").label("one")).select_from(source))
            .correlate_except(source)
            .order_by(*order(source))
            .offset(offset)
            .limit(limit + 1)
            .subquery()
        )
        counted = select(func.count().label("n")).select_from(window).subquery()
        n = counted.c.n
        size = case((n > limit, limit), else_=n)
        has_next: ColumnElement[Any] = n > limit
        if paged_in_sql:  # `paginate_rows` fetches nothing for an empty page
            has_next = and_(limit > 0, has_next)
        values: dict[str, Callable[[], ColumnElement[Any]]] = {
            "__typename": lambda: typename("PageInfo"),
            "hasNextPage": lambda: self.sql.boolean(has_next),
            "hasPreviousPage": lambda: self.sql.boolean(offset > 0),
            "startCursor": lambda: case((size > 0, self.sql.cursor(offset)), else_=null()),
            "endCursor": lambda: case((size > 0, self.sql.cursor(offset + size - 1)), else_=null()),
        }
        pairs = []
        for part in sels:
            if part.name not in values:
                raise NotCompiled(f"PageInfo.{part.name}")
            pairs.append((part.alias, values[part.name]()))
        info = select(self.sql.object(pairs)).select_from(counted).scalar_subquery()
        return self.sql.embedded(info)


def _node_sels(edges: Sequence[Sel]) -> tuple[Sel, ...]:
    """The selections on the nodes of `edges` (a connection's `edges` fields)."""
    return tuple(
        child
        for part in edges
        for edge_part in part.children or ()
        if edge_part.name == "node"
        for child in edge_part.children or ()
    )
