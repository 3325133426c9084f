import type { Patchbay, Store } from "@patchbay/core";
import type { TasksFake } from "@patchbay/testing/example";
import type { tasksWorld } from "./world.js";

export type World = ReturnType<typeof tasksWorld>;

/** One tenant's things: a synced, mapped, scheduled connection with a linked record, and an export that ran. */
export interface TenantThings {
  tenantId: string;
  connectionId: string;
  exportId: string;
  externalId: string;
  internalId: string;
}

/** Connect through the OAuth round trip. */
export async function connectOAuth(w: World, tenantId: string) {
  const { url } = await w.patchbay.connect.start({
    tenantId,
    connector: "tasks",
    redirectUri: "https://app.example.com/integrations/tasks/callback",
  });
  return w.patchbay.connect.finish(w.oauth.approve(url), { tenantId });
}

/** Give a tenant one of everything a facade call can touch. */
export async function populate(w: World, tenantId: string): Promise<TenantThings> {
  const pb = w.patchbay;
  const connection = await connectOAuth(w, tenantId);
  await pb.connections.setFieldMapping(tenantId, connection.id, "tasks", { name: "title" });
  await pb.sync.schedule({
    tenantId,
    connectionId: connection.id,
    model: "tasks",
    schedule: { kind: "every", minutes: 30 },
  });
  await pb.sync.run({ tenantId, connectionId: connection.id, model: "tasks" });
  const { records } = await pb.records.list({
    tenantId,
    connectionId: connection.id,
    model: "tasks",
    limit: 1,
  });
  const externalId = records[0]!.externalId;
  const internalId = `${tenantId}-h1`;
  await pb.records.setInternalId({
    tenantId,
    connectionId: connection.id,
    model: "tasks",
    externalId,
    internalId,
  });
  const definition = await pb.exports.define(tenantId, {
    name: `${tenantId} weekly`,
    source: { connectionId: connection.id, model: "tasks" },
    format: "csv",
    schedule: { kind: "manual" },
    destination: { connectionId: connection.id },
  });
  const outcome = await pb.exports.run(tenantId, definition.id);
  if (outcome.status !== "succeeded") throw new Error(`export did not run: ${outcome.status}`);
  return { tenantId, connectionId: connection.id, exportId: definition.id, externalId, internalId };
}

/** Everything stored for a tenant, plus what the provider saw: compared before and after another tenant acts. */
export async function snapshot(
  store: Store,
  fake: TasksFake,
  things: TenantThings,
  patchbay: Patchbay,
): Promise<string> {
  const { tenantId, connectionId } = things;
  const connection = await store.getConnection(tenantId, connectionId);
  return JSON.stringify({
    connection: connection && {
      ...connection,
      credentials: connection.credentials && Buffer.from(connection.credentials).toString("hex"),
    },
    records: await store.listRecords(tenantId, {
      connectionId,
      model: "tasks",
      limit: 1000,
      includeDeleted: true,
    }),
    states: await store.listSyncStates(tenantId, connectionId),
    runs: await store.listSyncRuns(tenantId, { connectionId, limit: 1000 }),
    audit: await store.listAudit(tenantId, { limit: 1000 }),
    exports: await store.listExports(tenantId),
    exportRuns: await store.listExportRuns(tenantId, { limit: 1000 }),
    usage: await patchbay.tenants.usage(tenantId),
    provider: {
      tasks: fake.sorted(),
      stats: fake.stats,
      files: [...fake.files.values()].map(({ body, ...file }) => ({ ...file, bytes: body.length })),
    },
  });
}
