"""The GraphQL API over the mahalla graph (strawberry on Starlette, served by uvicorn).

Serve: `uv run hub api --host 127.0.0.1 --port 8000` (GraphQL at /graphql, /healthz;
GraphiQL when `HUB_API_GRAPHIQL=true`). Export the SDL: `uv run hub export-schema`.

Layout, one package per domain (its data layer, GraphQL types, filters and root fields):

- `territory/`, `people/`, `activities/`, `provenance/`: `data.py` reads rows into frozen
  records with set-based SQL; `types.py` turns records into GraphQL types (split by
  concept into `*_types.py` where one module would be too long); `filters.py` validates
  inputs into criteria; `queries.py` holds the root fields.
- `compiled/`: the read path. A root field whose selection compiles is answered by one
  SQL statement building its JSON (`compiled/execution.py` the hook, `mapping.py` where
  each field lies in SQL); anything else goes the regular way, strawberry's resolvers over
  the DataLoaders.
- `app.py` (create_app), `view.py` (per-request context and connection), `schema.py` (the
  root Query), `operation_thread.py` (each operation on one worker thread's own loop),
  `request_database.py` (the request's connection, one
  batch of calls at a time), `loaders.py` (per-request DataLoaders), `relations.py`
  (sync-when-loaded relation resolution and per-page warming), `pagination.py` (cursor
  connections), `nodes.py` (global ids), `principal.py` (who is calling),
  `key_authenticator.py` (API keys at the door), `audit.py` and `personal_data.py` (with
  `personal_types.py` and `personal_walk.py`: the audit log of responses that returned
  personal data; `access/` its `auditLog` field),
  `errors.py` and
  `error_reporting.py` (codes, masking, logging), `scalars.py`, `vocabulary.py`.
"""
