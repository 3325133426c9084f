import { PGlite } from "@electric-sql/pglite";
import { ErrorCode, type Json, StorageError } from "@patchbay/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  createPostgresStore,
  postgresStore,
  type Queryable,
  type QueryRunner,
  StatementNotSentError,
} from "../src/index.js";
import { dropSchema, freshSchema, testPool } from "./support.js";

const admin = testPool(2);
const schema = freshSchema("pb_err");
afterAll(async () => {
  await dropSchema(admin, schema);
  await admin.end();
});

/** A database that fails the first `failures` statements with `error`, then answers with no rows. */
function flakyDatabase(error: () => unknown, failures: number) {
  let calls = 0;
  const run = async () => {
    calls++;
    if (calls <= failures) throw error();
    return { rows: [], rowCount: 0 };
  };
  const queryable: Queryable = {
    query: run,
    transaction: async <T>(work: (tx: QueryRunner) => Promise<T>) => work({ query: run }),
  };
  return { queryable, calls: () => calls };
}

const connectionError = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });

describe("errors", () => {
  it("names the duplicate id of a unique violation", async () => {
    const store = postgresStore({ pool: admin, schema });
    const input = {
      id: "c_dup",
      tenantId: "t_1",
      connector: "acme",
      status: "active" as const,
      credentials: null,
    };
    await store.createConnection(input);
    const error = await store.createConnection(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({
      code: ErrorCode.STORAGE,
      message: "connection c_dup already exists",
    });
  });

  it("never puts parameter values in the message or the cause (PostgreSQL and PGlite)", async () => {
    const secret = "ada.lovelace@example.com";
    const db = new PGlite();
    try {
      for (const store of [
        postgresStore({ pool: admin, schema }),
        createPostgresStore({ client: db, schema: "pb" }),
      ]) {
        // PostgreSQL text cannot hold \u0000: the server rejects the value and quotes it in `detail`.
        const error = await store
          .createConnection({
            id: "c_nul",
            tenantId: "t_1",
            connector: "acme",
            status: "active",
            config: { email: `${secret}\u0000` } as Record<string, Json>,
            credentials: Uint8Array.from([9, 9, 9]),
          })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StorageError);
        expect((error as Error).message).toMatch(
          /^PostgresStore\.createConnection failed: .*SQLSTATE 22P05/,
        );
        const everything =
          JSON.stringify(error, Object.getOwnPropertyNames(error)) +
          String((error as Error).cause) +
          JSON.stringify((error as Error).cause);
        expect(everything).not.toContain("ada.lovelace");
        expect((error as Error).cause).not.toHaveProperty("params");
        expect((error as Error).cause).not.toHaveProperty("detail");
        expect((error as Error).cause).toMatchObject({ code: "22P05" });
      }
    } finally {
      await db.close();
    }
  });

  it("rejects a batch with a value that is not JSON with a TypeError naming it, and writes nothing", async () => {
    const store = postgresStore({ pool: admin, schema });
    const base = { connectionId: "c_json", model: "contacts", runId: "run_1", deletes: [] };
    await store.applyRecordBatch("t_json", {
      ...base,
      upserts: [{ externalId: "a", hash: "h1", data: { v: 1 } }],
      now: new Date(),
    });
    const error = await store
      .applyRecordBatch("t_json", {
        ...base,
        upserts: [
          { externalId: "a", hash: "h2", data: { v: 2 } },
          { externalId: "b", hash: "h", data: { big: BigInt(1) } as unknown as Json },
        ],
        checkpoint: { cursor: "c2" },
        now: new Date(),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('"upserts[1].data.big" must be JSON: found a bigint');
    expect((await store.getRecord("t_json", "c_json", "contacts", "a"))?.data).toEqual({ v: 1 });
    expect(await store.getRecord("t_json", "c_json", "contacts", "b")).toBeNull();
    expect(await store.getSyncState("t_json", "c_json", "contacts")).toBeNull();
  });

  it("rejects bad arguments with a TypeError naming them, before sending anything", async () => {
    const { queryable, calls } = flakyDatabase(() => new Error("unreachable"), 0);
    const store = createPostgresStore({ client: queryable, migrate: false });
    const texts = async (run: () => Promise<unknown>) =>
      run().then(
        () => "resolved",
        (e: unknown) => (e instanceof TypeError ? e.message : `not a TypeError: ${String(e)}`),
      );
    expect(
      await texts(() => store.listRecords("t_1", { connectionId: "c_1", model: "m", limit: -1 })),
    ).toBe('"limit" must be a non-negative integer, got -1');
    expect(await texts(() => store.acquireLease("k", "holder", 0))).toBe(
      '"ttlMs" must be a positive number, got 0',
    );
    expect(await texts(() => store.incrementUsage("t_1", "2026-11", { records: 1.5 }))).toBe(
      '"delta.records" must be an integer, got 1.5',
    );
    expect(
      await texts(() =>
        store.createConnection({
          id: "c_1",
          tenantId: "t_1",
          connector: "acme",
          status: "active",
          config: { when: new Date(0) } as unknown as Record<string, Json>,
          credentials: null,
        }),
      ),
    ).toBe('"config.when" must be JSON: found a Date, not a plain object');
    expect(calls()).toBe(0);
  });

  it("retries serialization failures and deadlocks, even of writes", async () => {
    for (const code of ["40001", "40P01"]) {
      const { queryable, calls } = flakyDatabase(
        () => Object.assign(new Error("retry"), { code }),
        2,
      );
      const store = createPostgresStore({ client: queryable, migrate: false });
      await store.incrementUsage("t_1", "2026-11", { records: 1 });
      expect(calls()).toBe(3);
    }
  });

  it("retries a lost connection for reads, but not for a write that may have been applied", async () => {
    const read = flakyDatabase(connectionError, 2);
    expect(
      await createPostgresStore({ client: read.queryable, migrate: false }).getUsage("t_1", "p"),
    ).toEqual({ records: 0, runs: 0 });
    expect(read.calls()).toBe(3);

    const write = flakyDatabase(connectionError, 2);
    const error = await createPostgresStore({ client: write.queryable, migrate: false })
      .incrementUsage("t_1", "p", { records: 1 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.STORAGE, retryable: true });
    expect((error as Error).message).toBe(
      "PostgresStore.incrementUsage failed: the database connection failed",
    );
    expect(write.calls()).toBe(1);

    // A statement that was never sent (no connection could be checked out) is retried.
    const unsent = flakyDatabase(() => new StatementNotSentError(connectionError()), 2);
    await createPostgresStore({ client: unsent.queryable, migrate: false }).incrementUsage(
      "t_1",
      "p",
      { records: 1 },
    );
    expect(unsent.calls()).toBe(3);
  });

  it("gives up after a few attempts when the server refuses connections", async () => {
    const store = postgresStore({ connectionString: "postgres://postgres@127.0.0.1:1/test" });
    const error = await store.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toBe(
      "PostgresStore.init failed: the database connection failed",
    );
    await store.close();
  });
});
