/**
 * QuickBooks webhooks: one endpoint per app (set in the Intuit developer
 * dashboard), signed with the app's verifier token: `intuit-signature` is
 * base64(HMAC-SHA256(raw body, verifier token)). Two body formats exist and
 * both are accepted: the legacy `{ eventNotifications: [...] }` and the
 * CloudEvents array Intuit is moving every app to. Notifications carry ids
 * only: each one triggers an incremental sync of the affected model, and a
 * delete is applied directly.
 */
import { createHash } from "node:crypto";
import {
  verifyHmacSignature,
  type WebhookAction,
  type WebhookDelivery,
  type WebhookSpec,
} from "@patchbay/core";
import {
  CloudEventSchema,
  LegacyWebhookSchema,
  QUICKBOOKS_ENTITIES,
  type QuickBooksModel,
} from "./schemas.js";

/**
 * The header carrying a delivery's signature.
 *
 * @example
 * ```ts
 * delivery.headers.get(QUICKBOOKS_SIGNATURE_HEADER);
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/managing-webhooks-notifications
 */
export const QUICKBOOKS_SIGNATURE_HEADER = "intuit-signature";

/**
 * One entity change, whatever the body format.
 *
 * @example
 * ```ts
 * const n: QuickBooksNotification = { realmId: "9130", entity: "Invoice", id: "130", operation: "delete" };
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
 */
export interface QuickBooksNotification {
  realmId: string;
  /** The entity name as QuickBooks spells it (`Customer`, `Invoice`, ...). */
  entity: string;
  id: string;
  /** Lowercase, present tense: `create`, `update`, `delete`, `merge`, `void`, `emailed`. */
  operation: string;
  /** For a merge (legacy body): the id of the entity merged away. */
  deletedId?: string;
}

const OPERATIONS: Record<string, string> = {
  created: "create",
  updated: "update",
  deleted: "delete",
  merged: "merge",
  voided: "void",
  emailed: "emailed",
};

/**
 * Read a delivery's notifications from either format; `[]` for anything else.
 * CloudEvents `type`s look like `qbo.customer.updated.v1`.
 *
 * @example
 * ```ts
 * quickbooksNotifications([{ specversion: "1.0", id: "e1", type: "qbo.invoice.deleted.v1", intuitaccountid: "9130", intuitentityid: "130" }]);
 * // [{ realmId: "9130", entity: "Invoice", id: "130", operation: "delete" }]
 * ```
 * @see https://blogs.intuit.com/2025/11/12/upcoming-change-to-webhooks-payload-structure
 */
export function quickbooksNotifications(payload: unknown): QuickBooksNotification[] {
  if (Array.isArray(payload)) {
    const out: QuickBooksNotification[] = [];
    for (const item of payload) {
      const event = CloudEventSchema.safeParse(item);
      if (!event.success) continue;
      const [, entity, operation] = /^qbo\.([a-z]+)\.([a-z]+)\.v\d+$/i.exec(event.data.type) ?? [];
      if (entity === undefined || operation === undefined) continue;
      out.push({
        realmId: event.data.intuitaccountid,
        entity: entityName(entity),
        id: event.data.intuitentityid,
        operation: OPERATIONS[operation.toLowerCase()] ?? operation.toLowerCase(),
      });
    }
    return out;
  }
  const legacy = LegacyWebhookSchema.safeParse(payload);
  if (!legacy.success) return [];
  return legacy.data.eventNotifications.flatMap((n) =>
    n.dataChangeEvent.entities.map((e) => ({
      realmId: n.realmId,
      entity: entityName(e.name),
      id: e.id,
      operation: e.operation.toLowerCase(),
      ...(e.deletedId !== undefined && { deletedId: e.deletedId }),
    })),
  );
}

/** `customer` / `Customer` → `Customer`. */
function entityName(name: string): string {
  const known = Object.values(QUICKBOOKS_ENTITIES).find(
    (e) => e.toLowerCase() === name.toLowerCase(),
  );
  return known ?? name;
}

function modelOf(entity: string): QuickBooksModel | undefined {
  const found = Object.entries(QUICKBOOKS_ENTITIES).find(([, e]) => e === entity);
  return found?.[0] as QuickBooksModel | undefined;
}

/**
 * Check `intuit-signature`: base64 HMAC-SHA256 of the raw body under the
 * app's verifier token. Constant-time; `false` without a token or header.
 *
 * @example
 * ```ts
 * verifyQuickBooksSignature(delivery, process.env.QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN); // true for a genuine delivery
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/managing-webhooks-notifications#validating-the-notification
 */
export function verifyQuickBooksSignature(
  delivery: Pick<WebhookDelivery, "headers" | "rawBody">,
  verifierToken: string | undefined,
): boolean {
  return verifyHmacSignature({
    algorithm: "sha256",
    secret: verifierToken,
    data: delivery.rawBody,
    signature: delivery.headers.get(QUICKBOOKS_SIGNATURE_HEADER),
    encoding: "base64",
  });
}

/**
 * The actions for one connection: deletes applied directly (`Delete`, and
 * the merged-away id of a `Merge`), every other change an incremental sync
 * of its model; entities the connector does not sync are ignored.
 *
 * @example
 * ```ts
 * webhookActions(notifications, "9130"); // [{ kind: "apply", model: "invoices", deleted: ["130"] }, { kind: "sync", model: "customers" }]
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
 */
export function webhookActions(
  notifications: QuickBooksNotification[],
  realmId: string,
): WebhookAction[] {
  const deletes = new Map<QuickBooksModel, string[]>();
  const syncs = new Set<QuickBooksModel>();
  for (const n of notifications) {
    if (n.realmId !== realmId) continue;
    const model = modelOf(n.entity);
    if (model === undefined) continue;
    if (n.operation === "delete") {
      deletes.set(model, [...(deletes.get(model) ?? []), n.id]);
      continue;
    }
    if (n.operation === "merge" && n.deletedId !== undefined)
      deletes.set(model, [...(deletes.get(model) ?? []), n.deletedId]);
    syncs.add(model);
  }
  return [
    ...[...deletes].map(([model, deleted]): WebhookAction => ({ kind: "apply", model, deleted })),
    ...[...syncs].map((model): WebhookAction => ({ kind: "sync", model })),
  ];
}

/**
 * The connector's `webhooks`: the app's verifier token, routing by realm
 * (connections carry `realmId` in their metadata), deduplication by a hash
 * of the body (Intuit redelivers the same body when a delivery fails).
 *
 * @example
 * ```ts
 * defineConnector({ ..., webhooks: quickbooksWebhooks(process.env.QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN!) });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
 */
export function quickbooksWebhooks(verifierToken: string): WebhookSpec {
  return {
    secret: "app",
    verify: (delivery) => verifyQuickBooksSignature(delivery, verifierToken),
    deliveryId: (delivery) =>
      `quickbooks:${createHash("sha256").update(delivery.rawBody).digest("hex")}`,
    // Core routes a delivery to one set of keys: a batch spanning realms reaches the first realm only.
    route: (delivery) => {
      const [first] = quickbooksNotifications(delivery.payload);
      return first === undefined ? undefined : { realmId: first.realmId };
    },
    actions: (delivery, connection) => {
      const realmId = connection.metadata.realmId;
      return typeof realmId === "string"
        ? webhookActions(quickbooksNotifications(delivery.payload), realmId)
        : [];
    },
  };
}
