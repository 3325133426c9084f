import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  createPostgresStore,
  LATEST_MIGRATION,
  listMigrations,
  migrate,
  postgresStore,
} from "../src/index.js";
import { DATABASE_URL, dropSchema, freshSchema, testPool } from "./support.js";

const admin = testPool(2);
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(admin, schema);
  await admin.end();
});
function schemaForTest(prefix: string): string {
  const schema = freshSchema(prefix);
  schemas.push(schema);
  return schema;
}

const batch = (connectionId: string, ids: string[]) => ({
  connectionId,
  model: "contacts",
  runId: "run_1",
  upserts: ids.map((id) => ({ externalId: id, hash: `h_${id}`, data: { id } })),
  deletes: [],
  now: new Date(),
});

describe("migrations and schemas", () => {
  it("init() twice, and from a second store, is harmless and keeps the data", async () => {
    const schema = schemaForTest("pb_init");
    const store = postgresStore({ pool: admin, schema });
    await store.init();
    await store.createConnection({
      id: "c_1",
      tenantId: "t_1",
      connector: "acme",
      status: "active",
      credentials: Uint8Array.from([1]),
    });
    await store.init();
    await postgresStore({ pool: admin, schema }).init();
    expect(await migrate(admin, { schema })).toEqual({ applied: [], version: LATEST_MIGRATION });
    const { rows } = await admin.query(`SELECT version FROM "${schema}".migrations`);
    expect(rows).toHaveLength(listMigrations().length);
    expect((await store.getConnection("t_1", "c_1"))?.connector).toBe("acme");
  });

  it("works in its own schema when the search path holds tables of the same names", async () => {
    const decoy = schemaForTest("pb_decoy");
    const schema = schemaForTest("pb_real");
    await admin.query(`CREATE SCHEMA "${decoy}"`);
    for (const table of ["connections", "records", "leases", "sync_states", "migrations"]) {
      await admin.query(`CREATE TABLE "${decoy}".${table} (note text)`);
      await admin.query(`INSERT INTO "${decoy}".${table} VALUES ('host data')`);
    }
    const pool = new pg.Pool({
      connectionString: DATABASE_URL,
      max: 2,
      options: `-c search_path=${decoy},public`,
    });
    try {
      const store = postgresStore({ pool, schema });
      await exercise(store);
      for (const table of ["connections", "records", "leases", "sync_states", "migrations"]) {
        const { rows } = await admin.query(`SELECT note FROM "${decoy}".${table}`);
        expect(rows).toEqual([{ note: "host data" }]);
      }
    } finally {
      await pool.end();
    }
  });

  it("works in a non-default schema next to tables of the same names in public (PGlite)", async () => {
    const db = new PGlite();
    try {
      for (const table of ["connections", "records", "leases", "sync_states", "migrations"]) {
        await db.query(`CREATE TABLE public.${table} (note text)`);
        await db.query(`INSERT INTO public.${table} VALUES ('host data')`);
      }
      const store = createPostgresStore({ client: db, schema: "integrations" });
      await exercise(store);
      for (const table of ["connections", "records", "leases", "sync_states", "migrations"]) {
        const { rows } = await db.query(`SELECT note FROM public.${table}`);
        expect(rows).toEqual([{ note: "host data" }]);
      }
      const { rows } = await db.query(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'integrations'",
      );
      // 9 tables of the initial migration, `exports` and `export_runs` of the second,
      // `record_seen` of the third.
      expect(rows).toEqual([{ n: 12 }]);
    } finally {
      await db.close();
    }
  });

  it("with migrate: false leaves the schema alone, and works once the host migrates it", async () => {
    const schema = schemaForTest("pb_host");
    const store = postgresStore({ pool: admin, schema, migrate: false });
    await store.init();
    const error = await store.getConnection("t_1", "c_1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "PATCHBAY_STORAGE" });
    expect((error as Error).message).toContain("42P01");
    // The host applies the published SQL with its own tool.
    for (const migration of listMigrations({ schema })) {
      for (const statement of migration.statements) await admin.query(statement);
    }
    expect(await migrate(admin, { schema })).toEqual({ applied: [], version: LATEST_MIGRATION });
    expect(await store.getConnection("t_1", "c_1")).toBeNull();
  });

  it("rejects a schema name that is not a plain identifier", () => {
    expect(() => postgresStore({ pool: admin, schema: 'x"; DROP TABLE y; --' })).toThrow(
      /"schema" must be a PostgreSQL identifier/,
    );
  });
});

/** A few writes and reads touching the tables that have decoys. */
async function exercise(store: ReturnType<typeof postgresStore>): Promise<void> {
  await store.init();
  const connection = await store.createConnection({
    id: "c_1",
    tenantId: "t_1",
    connector: "acme",
    status: "active",
    credentials: null,
  });
  expect(await store.applyRecordBatch("t_1", batch(connection.id, ["a", "b"]))).toEqual({
    inserted: 2,
    updated: 0,
    unchanged: 0,
    deleted: 0,
  });
  const changes = await store.listChanges("t_1", { connectionId: "c_1", after: 0, limit: 10 });
  expect(changes.map((r) => r.externalId)).toEqual(["a", "b"]);
  expect(await store.acquireLease("lease_1", "worker-a", 60_000)).toBe(true);
  expect((await store.getSyncState("t_1", "c_1", "contacts"))?.cursor ?? null).toBeNull();
  await store.close();
}
