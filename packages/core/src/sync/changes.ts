import { ConfigError } from "../errors.js";
import type { Json, StoredRecord } from "../store/types.js";

/** How a record changed since the cursor the host passed. */
export type ChangeKind = "created" | "updated" | "deleted";

/** One entry of the change feed. */
export interface RecordChange {
  kind: ChangeKind;
  model: string;
  externalId: string;
  /** The host's id, once mapped (by `records.setInternalId` or a write-back create). */
  internalId: string | null;
  /** The record under host field names (after the connection's field mapping); `null` for deletes. */
  data: Json;
  /** The record as the provider sent it. */
  raw: Json;
  deletedAt: Date | null;
  updatedAt: Date;
}

const PREFIX = "pbc1.";

/** Encode a feed position as an opaque cursor. */
export function encodeChangeCursor(seq: number): string {
  return PREFIX + seq.toString(36);
}

/** Decode a cursor from `records.changes()`; `undefined`/empty means "from the beginning". */
export function decodeChangeCursor(cursor: string | undefined | null): number {
  if (cursor === undefined || cursor === null || cursor === "") return 0;
  if (typeof cursor !== "string" || !cursor.startsWith(PREFIX)) {
    throw new ConfigError(
      `"after" must be a cursor returned by records.changes() (or omitted to start from the beginning), got ${JSON.stringify(cursor)}`,
    );
  }
  const seq = Number.parseInt(cursor.slice(PREFIX.length), 36);
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new ConfigError(`"after" is not a valid change cursor: ${JSON.stringify(cursor)}`);
  return seq;
}

/** The kind of change a stored record represents relative to position `after`. */
export function changeKind(record: StoredRecord, after: number): ChangeKind {
  if (record.deletedAt !== null) return "deleted";
  return record.createdSeq > after ? "created" : "updated";
}
