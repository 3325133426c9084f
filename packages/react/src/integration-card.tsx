import { useCallback, useEffect, useId, useRef, useState } from "react";
import { ConfigureDialog } from "./configure-dialog.js";
import { ConnectDialog } from "./connect-dialog.js";
import { DisconnectDialog, type DisconnectResult } from "./disconnect-dialog.js";
import { ErrorMessage } from "./error-message.js";
import { fieldsFromSchema } from "./json-schema.js";
import { usePatchbayContext } from "./provider.js";
import { integrationStatus, StatusBadge } from "./status-badge.js";
import { SyncHistory } from "./sync-history.js";
import { formatDateTime, formatRelativeTime, useNow } from "./time.js";
import type {
  CatalogueConnector,
  ConnectionWithHealth,
  MappingFields,
  PublicConnection,
  WireSyncOutcome,
  WireSyncRun,
} from "./types.js";

/**
 * Props of {@link IntegrationCard}.
 *
 * @example
 * ```tsx
 * const props: IntegrationCardProps = { connector: sheets, connection: connections[0] };
 * ```
 */
export interface IntegrationCardProps {
  /** The connector, from the catalogue (`useIntegrations().connectors`). */
  connector: CatalogueConnector;
  /** Its connection, with health; omit (or `null`) when not connected. */
  connection?: ConnectionWithHealth | null;
  /** Your fields per model, for the Configure dialog's mapping editor. */
  mappingFields?: MappingFields;
  /** Heading level of the connector's name. Default 3. */
  headingLevel?: 2 | 3 | 4 | 5 | 6;
  /** Show the "Sync history" disclosure. Default `true`. */
  showHistory?: boolean;
  /** Called after an action changed the connection (connected, configured, synced, disconnected). */
  onChange?: () => void;
  className?: string;
}

function plural(n: number, one: string, many: string, locale: string | undefined): string {
  return `${n.toLocaleString(locale)} ${n === 1 ? one : many}`;
}

/**
 * "Sync finished: 47 records fetched, 3 new, 2 updated, 0 deleted." — what a
 * sync-now answer means to a person.
 */
export function describeSyncOutcomes(
  outcomes: WireSyncOutcome[],
  name: string,
  locale?: string,
): string {
  if (outcomes.length === 0) return `${name} has nothing to sync.`;
  const failed = outcomes.find((o) => o.status === "failed");
  if (failed !== undefined && "run" in failed) {
    return `Sync failed: ${failed.run.error ?? "the provider did not say why"}`;
  }
  const runs = outcomes.flatMap((o) => ("run" in o ? [o.run] : []));
  if (runs.length === 0) {
    const skipped = outcomes[0];
    const reason = skipped !== undefined && "reason" in skipped ? skipped.reason : "running";
    if (reason === "running") return `A sync of ${name} is already running.`;
    if (reason === "connection_inactive") return `Reconnect ${name} to sync it.`;
    if (reason === "limit") return "Your plan's synced records for this month are used up.";
    return `${name} is already up to date.`;
  }
  const total = (key: "fetched" | "inserted" | "updated" | "deleted" | "failed") =>
    runs.reduce((sum, run) => sum + run[key], 0);
  const parts = [
    `${plural(total("fetched"), "record", "records", locale)} fetched`,
    `${total("inserted").toLocaleString(locale)} new`,
    `${total("updated").toLocaleString(locale)} updated`,
    `${total("deleted").toLocaleString(locale)} deleted`,
  ];
  const invalid = total("failed");
  if (invalid > 0) parts.push(`${invalid.toLocaleString(locale)} failed`);
  const cancelled = outcomes.some((o) => o.status === "cancelled");
  return `${cancelled ? "Sync stopped early" : "Sync finished"}: ${parts.join(", ")}.`;
}

/**
 * Records held per model: the last complete full run's count, plus what
 * incremental runs added or removed since. `null` when no full run is known.
 */
function recordsSynced(runs: WireSyncRun[]): number | null {
  const byModel = new Map<string, WireSyncRun[]>();
  for (const run of runs) byModel.set(run.model, [...(byModel.get(run.model) ?? []), run]);
  let total: number | null = null;
  for (const modelRuns of byModel.values()) {
    let delta = 0;
    for (const run of modelRuns) {
      if (run.status !== "succeeded") continue;
      if (run.mode === "incremental") {
        delta += run.inserted - run.deleted;
        continue;
      }
      total = (total ?? 0) + run.inserted + run.updated + run.unchanged + delta;
      break;
    }
  }
  return total;
}

function accountLabel(connection: PublicConnection): string | null {
  for (const key of ["email", "accountEmail", "accountName", "login", "name"]) {
    const value = connection.metadata[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

/**
 * One integration: the provider's logo and name, a status badge in words
 * (Connected / Needs attention / Reconnect needed / Not connected), when it
 * last synced ("Last synced 2 minutes ago", kept current), how many records
 * it holds, the last error, and the actions that fit: Connect, Configure,
 * Sync now (announced in a live region), Reconnect, Disconnect, and the
 * sync history.
 *
 * OAuth connectors connect by sending the browser to the connect route;
 * credential connectors open a form. Plan-limit errors show the server's
 * message (and your `upgradeUrl`).
 *
 * @example
 * ```tsx
 * const { connectors, connections } = useIntegrations();
 * const sheets = connectors.find((c) => c.id === "google-sheets")!;
 * <IntegrationCard connector={sheets} connection={connections.find((c) => c.connector === sheets.id)} />
 * ```
 */
export function IntegrationCard({
  connector,
  connection: connectionProp,
  mappingFields,
  headingLevel = 3,
  showHistory = true,
  onChange,
  className,
}: IntegrationCardProps) {
  const context = usePatchbayContext();
  const { client, store, locale, announce } = context;
  const id = useId();
  const connection =
    connectionProp === null ||
    connectionProp === undefined ||
    connectionProp.status === "disconnected"
      ? null
      : connectionProp;
  const status = integrationStatus(connection);
  const name = connector.name;
  const oauth = connector.auth.kind === "oauth2";
  const now = useNow();

  const [dialog, setDialog] = useState<"connect" | "configure" | "disconnect" | null>(null);
  const [syncing, setSyncing] = useState(false);
  const [syncMessage, setSyncMessage] = useState("");
  const [actionError, setActionError] = useState<unknown>(null);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [runs, setRuns] = useState<WireSyncRun[] | null>(null);
  const [revision, setRevision] = useState(() => store.getSnapshot().revision);

  const rootRef = useRef<HTMLElement>(null);
  const primaryRef = useRef<HTMLButtonElement>(null);
  const configureRef = useRef<HTMLButtonElement>(null);

  const changed = useCallback(() => {
    onChange?.();
    return store.refresh();
  }, [onChange, store]);

  useEffect(
    () =>
      store.subscribe(() => {
        setRevision(store.getSnapshot().revision);
      }),
    [store],
  );

  // Records synced: from the recent runs (reloaded when the connections are).
  const connectionId = connection?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the connections were refreshed
  useEffect(() => {
    if (connectionId === undefined) {
      setRuns(null);
      return;
    }
    let live = true;
    client.runs(connectionId, { limit: 50 }).then(
      (next) => {
        if (live) setRuns(next);
      },
      () => {
        if (live) setRuns(null);
      },
    );
    return () => {
      live = false;
    };
  }, [client, connectionId, revision]);

  // Back from the OAuth round trip (or a credential form): announce, then configure.
  const { justConnected, setJustConnected, configureAfterConnect } = context;
  useEffect(() => {
    if (connection === null || justConnected !== connection.id) return;
    setJustConnected(null);
    announce(`${name} connected.`);
    const hasSettings = fieldsFromSchema(connector.config).fields.length > 0;
    if (configureAfterConnect && (hasSettings || connector.models.length > 0)) {
      setDialog("configure");
    } else {
      primaryRef.current?.focus();
    }
  }, [
    connection,
    justConnected,
    setJustConnected,
    announce,
    name,
    connector,
    configureAfterConnect,
  ]);

  // The card that had focus went away (its connection was disconnected): take it.
  const { focusRequest, setFocusRequest } = context;
  useEffect(() => {
    if (focusRequest === null || focusRequest.connector !== connector.id) return;
    if (connectionId === focusRequest.except) return;
    setFocusRequest(null);
    (primaryRef.current ?? rootRef.current)?.focus();
  }, [focusRequest, setFocusRequest, connector.id, connectionId]);

  const startConnect = () => {
    setActionError(null);
    if (oauth) client.connect(connector.id);
    else setDialog("connect");
  };

  const running =
    syncing || (connection?.health.models.some((m) => m.lastStatus === "running") ?? false);

  const syncNow = async () => {
    if (connection === null || running) return;
    setSyncing(true);
    setActionError(null);
    setSyncMessage(`Syncing ${name}…`);
    try {
      const outcomes = await client.syncNow(connection.id);
      setSyncMessage(describeSyncOutcomes(outcomes, name, locale));
    } catch (caught) {
      setSyncMessage("");
      setActionError(caught);
    } finally {
      setSyncing(false);
      void changed();
    }
  };

  const onConnected = (created: PublicConnection) => {
    setJustConnected(created.id);
    void changed();
  };

  const onDisconnected = ({ revoked, purged }: DisconnectResult) => {
    const revocation = oauth
      ? revoked
        ? ` Access at ${name} was revoked.`
        : ` ${name} did not confirm the revocation; you can remove access in your ${name} account settings.`
      : "";
    announce(
      `${name} disconnected.${revocation}${purged ? " Synced data was deleted." : " Synced data was kept."}`,
    );
    if (connection !== null) setFocusRequest({ connector: connector.id, except: connection.id });
    void changed();
  };

  const Heading = `h${headingLevel}` as const;
  const headingId = `${id}-name`;
  const historyId = `${id}-history`;
  const lastSuccessAt = connection?.health.lastSuccessAt ?? null;
  const lastError =
    connection !== null && (status === "attention" || status === "reauth")
      ? (connection.health.lastError ?? connection.statusReason)
      : null;
  const records = runs === null ? null : recordsSynced(runs);
  const account = connection === null ? null : accountLabel(connection);

  return (
    <article
      ref={rootRef}
      tabIndex={-1}
      aria-labelledby={headingId}
      aria-busy={running || undefined}
      className={["patchbay-card", className].filter(Boolean).join(" ")}
      data-patchbay-card=""
      data-patchbay-connector={connector.id}
      data-patchbay-status={status}
    >
      <header className="patchbay-card-header" data-patchbay-card-header="">
        {connector.logo === null ? (
          <span className="patchbay-logo" data-patchbay-logo="" aria-hidden="true">
            {name.charAt(0)}
          </span>
        ) : (
          <img
            className="patchbay-logo"
            data-patchbay-logo=""
            src={connector.logo}
            alt=""
            width={40}
            height={40}
          />
        )}
        <Heading id={headingId} className="patchbay-card-title">
          {name}
        </Heading>
        <StatusBadge status={status} />
      </header>
      {connector.description === null ? null : (
        <p className="patchbay-card-description" data-patchbay-card-description="">
          {connector.description}
        </p>
      )}
      {connection === null ? null : (
        <div className="patchbay-card-facts" data-patchbay-card-facts="">
          {account === null ? null : (
            <p data-patchbay-account="">
              Account: <span>{account}</span>
            </p>
          )}
          <p data-patchbay-last-synced="">
            {lastSuccessAt === null ? (
              "Not synced yet"
            ) : (
              <>
                Last synced{" "}
                <time dateTime={lastSuccessAt} title={formatDateTime(lastSuccessAt, { locale })}>
                  {formatRelativeTime(lastSuccessAt, { now, locale })}
                </time>
              </>
            )}
          </p>
          {records === null ? null : (
            <p data-patchbay-records="">Records synced: {records.toLocaleString(locale)}</p>
          )}
        </div>
      )}
      {lastError === null ? null : (
        <p className="patchbay-card-error" data-patchbay-last-error="">
          {status === "reauth" ? `${name} access expired or was revoked. ` : null}
          Last error: {lastError}
        </p>
      )}
      <div className="patchbay-card-actions" data-patchbay-card-actions="">
        {connection === null ? (
          <button
            ref={primaryRef}
            type="button"
            className="patchbay-button"
            data-patchbay-variant="primary"
            data-patchbay-action="connect"
            aria-label={`Connect ${name}`}
            onClick={startConnect}
          >
            Connect
          </button>
        ) : status === "reauth" ? (
          <button
            ref={primaryRef}
            type="button"
            className="patchbay-button"
            data-patchbay-variant="primary"
            data-patchbay-action="reconnect"
            aria-label={`Reconnect ${name}`}
            onClick={startConnect}
          >
            Reconnect
          </button>
        ) : (
          <>
            <button
              ref={primaryRef}
              type="button"
              className="patchbay-button"
              data-patchbay-variant="primary"
              data-patchbay-action="sync"
              aria-label={running ? `Syncing ${name}` : `Sync ${name} now`}
              aria-disabled={running || undefined}
              onClick={syncNow}
            >
              {running ? "Syncing…" : "Sync now"}
            </button>
            <button
              ref={configureRef}
              type="button"
              className="patchbay-button"
              data-patchbay-action="configure"
              aria-label={`Configure ${name}`}
              onClick={() => setDialog("configure")}
            >
              Configure
            </button>
          </>
        )}
        {connection === null ? null : (
          <button
            type="button"
            className="patchbay-button"
            data-patchbay-variant="danger"
            data-patchbay-action="disconnect"
            aria-label={`Disconnect ${name}`}
            onClick={() => setDialog("disconnect")}
          >
            Disconnect
          </button>
        )}
        {connection !== null && showHistory ? (
          <button
            type="button"
            className="patchbay-button"
            data-patchbay-variant="quiet"
            data-patchbay-action="history"
            aria-expanded={historyOpen}
            aria-controls={historyId}
            onClick={() => setHistoryOpen((open) => !open)}
          >
            {historyOpen ? "Hide sync history" : "Sync history"}
          </button>
        ) : null}
      </div>
      {running ? (
        <progress
          className="patchbay-progress"
          data-patchbay-progress=""
          aria-label={`Syncing ${name}`}
        />
      ) : null}
      <p
        role="status"
        aria-live="polite"
        className="patchbay-sync-status"
        data-patchbay-sync-status=""
      >
        {syncMessage}
      </p>
      <ErrorMessage error={actionError} />
      {connection !== null && showHistory ? (
        <div id={historyId} data-patchbay-card-history="" hidden={!historyOpen}>
          {historyOpen ? (
            <SyncHistory connectionId={connection.id} caption={`${name} sync history`} />
          ) : null}
        </div>
      ) : null}
      {connection === null ? null : (
        <>
          <ConfigureDialog
            connector={connector}
            connection={connection}
            open={dialog === "configure"}
            onClose={() => setDialog(null)}
            mappingFields={mappingFields}
            onSaved={() => onChange?.()}
            returnFocusRef={configureRef}
          />
          <DisconnectDialog
            connector={connector}
            connection={connection}
            open={dialog === "disconnect"}
            onClose={() => setDialog(null)}
            onDisconnected={onDisconnected}
            returnFocusRef={rootRef}
          />
        </>
      )}
      <ConnectDialog
        connector={connector}
        open={dialog === "connect"}
        onClose={() => setDialog(null)}
        onConnected={onConnected}
        returnFocusRef={rootRef}
      />
    </article>
  );
}
