import type { ConnectionWithHealth, PublicConnection } from "./types.js";

/**
 * What a card says about a connection:
 * `connected`, `attention` (syncs or tests are failing), `reauth` (the
 * grant was revoked or expired: reconnect), `not_connected`.
 *
 * @example
 * ```ts
 * const status: IntegrationStatus = integrationStatus(connection);
 * ```
 */
export type IntegrationStatus = "connected" | "attention" | "reauth" | "not_connected";

/**
 * The words each {@link IntegrationStatus} shows: status is never told by color alone.
 *
 * @example
 * ```ts
 * STATUS_LABELS.reauth; // "Reconnect needed"
 * ```
 */
export const STATUS_LABELS: Readonly<Record<IntegrationStatus, string>> = {
  connected: "Connected",
  attention: "Needs attention",
  reauth: "Reconnect needed",
  not_connected: "Not connected",
};

const STATUS_ICONS: Readonly<Record<IntegrationStatus, string>> = {
  connected: "✓",
  attention: "!",
  reauth: "↻",
  not_connected: "○",
};

/**
 * The status a card shows for a connection (or for none): `needs_reauth` →
 * Reconnect needed; `error`, or an active connection whose last syncs failed
 * → Needs attention; `active`/`pending` → Connected; none or `disconnected`
 * → Not connected.
 *
 * @example
 * ```ts
 * integrationStatus(undefined); // "not_connected"
 * integrationStatus({ ...connection, status: "needs_reauth" }); // "reauth"
 * ```
 */
export function integrationStatus(
  connection: ConnectionWithHealth | PublicConnection | null | undefined,
): IntegrationStatus {
  if (connection === null || connection === undefined) return "not_connected";
  switch (connection.status) {
    case "disconnected":
      return "not_connected";
    case "needs_reauth":
      return "reauth";
    case "error":
      return "attention";
    default: {
      const health = "health" in connection ? connection.health : undefined;
      if (
        health !== undefined &&
        (health.consecutiveFailures > 0 || health.models.some((m) => m.lastStatus === "failed"))
      ) {
        return "attention";
      }
      return "connected";
    }
  }
}

/**
 * Props of {@link StatusBadge}.
 *
 * @example
 * ```tsx
 * const props: StatusBadgeProps = { status: "connected" };
 * ```
 */
export interface StatusBadgeProps {
  status: IntegrationStatus;
  className?: string;
}

/**
 * A status badge with a text label and a decorative icon
 * (`data-patchbay-status` for styling). Color is never the only signal.
 *
 * @example
 * ```tsx
 * <StatusBadge status={integrationStatus(connection)} />
 * ```
 */
export function StatusBadge({ status, className }: StatusBadgeProps) {
  return (
    <span
      className={["patchbay-badge", className].filter(Boolean).join(" ")}
      data-patchbay-badge=""
      data-patchbay-status={status}
    >
      <span className="patchbay-badge-icon" aria-hidden="true">
        {STATUS_ICONS[status]}
      </span>{" "}
      <span className="patchbay-badge-label">{STATUS_LABELS[status]}</span>
    </span>
  );
}
