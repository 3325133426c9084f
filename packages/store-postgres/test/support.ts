import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL server the tests use; CI starts it. */
export const DATABASE_URL =
  process.env.PATCHBAY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema name no other run uses. */
export function freshSchema(prefix = "pb_test"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** A pool on the test server (fails loudly when the server is down: no skipping). */
export function testPool(max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max });
  pool.on("error", () => undefined);
  return pool;
}

/** Drop a schema and everything in it. */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
