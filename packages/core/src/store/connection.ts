import type { Connection, StoredConnection } from "./types.js";

/** A connection without its sealed credentials: the shape hosts, events and logs see. */
export function publicConnection(row: StoredConnection): Connection {
  return {
    id: row.id,
    tenantId: row.tenantId,
    connector: row.connector,
    status: row.status,
    statusReason: row.statusReason,
    config: row.config,
    metadata: row.metadata,
    fieldMappings: row.fieldMappings,
    credentialsVersion: row.credentialsVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
