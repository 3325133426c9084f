import { testStore } from "@patchbay/testing";
import { postgresStore } from "../src/index.js";
import { dropSchema, freshSchema, testPool } from "./support.js";

// The conformance suite against the PostgreSQL server, in a schema of its own.
const pool = testPool(4);
const schema = freshSchema();

testStore("PostgresStore (PostgreSQL)", {
  create: async () => postgresStore({ pool, schema }),
  destroy: async (store) => {
    await store.close?.();
    await dropSchema(pool, schema);
    await pool.end();
  },
});
