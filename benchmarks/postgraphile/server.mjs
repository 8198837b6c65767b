// PostGraphile 5 serving the hub's PostgreSQL schema, for benchmarks/bench_api.py.
//
//   DATABASE_URL=postgres://reader@127.0.0.1:5432/hub_bench PORT=5678 \
//     node_modules/node/bin/node server.mjs
//
// One Node process on loopback; bench_api.py starts one per core, each on its own port,
// as it starts its uvicorn servers. The amber preset (PostGraphile's recommended base) on
// schema `public`, read as a role granted SELECT only, so the RBAC plugin generates no
// mutations. Smart tags expose ordering on the few unindexed columns the hub's own lists
// are ordered by (PostGraphile hides ordering by unindexed columns by default); nothing
// else is added. Prints "listening <port>" once it serves.
import { createServer } from "node:http";

import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";

const ORDERED_BY = [
  "tax_registration.registered_on",
  "employment_record.status_on",
  "land_lease.start_on",
  "loan.issued_on",
  "appeal.received_at",
  "assistant.is_current",
  "assistant.appointed_on",
];

const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? 5678);

const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [
    jsonPgSmartTags({
      version: 1,
      config: {
        attribute: Object.fromEntries(
          ORDERED_BY.map((column) => [column, { tags: { behavior: "+orderBy" } }]),
        ),
      },
    }),
  ],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.POOL_MAX ?? 10) },
    }),
  ],
  grafserv: { host, port, graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
await serv.addTo(server);
await pgl.getSchemaResult();
server.listen(port, host, () => console.log(`listening ${port}`));

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
  });
}
