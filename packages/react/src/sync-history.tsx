import type { SyncRunStatus, SyncTrigger } from "@patchbay/core";
import { useCallback, useEffect, useRef, useState } from "react";
import { ErrorMessage } from "./error-message.js";
import { humanize } from "./json-schema.js";
import { usePatchbayContext } from "./provider.js";
import { formatDateTime, formatDuration } from "./time.js";
import type { WireSyncRun } from "./types.js";

const MAX_RUNS = 200;

const TRIGGER_LABELS: Record<SyncTrigger, string> = {
  manual: "Manual",
  schedule: "Scheduled",
  webhook: "Webhook",
  connect: "On connect",
  resume: "Resumed",
  write: "Write-back",
};

const RUN_STATUS: Record<SyncRunStatus, { icon: string; label: string }> = {
  running: { icon: "…", label: "Running" },
  succeeded: { icon: "✓", label: "Succeeded" },
  failed: { icon: "✗", label: "Failed" },
  cancelled: { icon: "–", label: "Cancelled" },
};

/**
 * Props of {@link SyncHistory}.
 *
 * @example
 * ```tsx
 * const props: SyncHistoryProps = { connectionId: "conn_123", pageSize: 10 };
 * ```
 */
export interface SyncHistoryProps {
  connectionId: string;
  /** Runs per page ("Load more" asks for this many more). Default 20. */
  pageSize?: number;
  /** Only this model's runs. */
  model?: string;
  /** The table's caption. Default "Sync history". */
  caption?: string;
  className?: string;
}

/**
 * A connection's sync runs, newest first: when each started, how long it
 * took, what started it (manual, schedule, webhook…), full or incremental,
 * its status in words, the records fetched, inserted, updated, deleted and
 * failed, and the (redacted) error. "Load more" shows older runs.
 * Reloads when the page's connections are refreshed (after "Sync now").
 *
 * @example
 * ```tsx
 * <SyncHistory connectionId={connection.id} pageSize={10} />
 * ```
 */
export function SyncHistory({
  connectionId,
  pageSize = 20,
  model,
  caption = "Sync history",
  className,
}: SyncHistoryProps) {
  const { client, store, locale } = usePatchbayContext();
  const [limit, setLimit] = useState(Math.min(pageSize, MAX_RUNS));
  const [runs, setRuns] = useState<WireSyncRun[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [revision, setRevision] = useState(() => store.getSnapshot().revision);
  const request = useRef(0);

  useEffect(
    () =>
      store.subscribe(() => {
        setRevision(store.getSnapshot().revision);
      }),
    [store],
  );

  const load = useCallback(async () => {
    const ticket = ++request.current;
    setLoading(true);
    try {
      const next = await client.runs(connectionId, { limit, model });
      if (ticket !== request.current) return;
      setRuns(next);
      setError(null);
    } catch (caught) {
      if (ticket !== request.current) return;
      setError(caught);
    } finally {
      if (ticket === request.current) setLoading(false);
    }
  }, [client, connectionId, limit, model]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the connections were refreshed
  useEffect(() => {
    void load();
  }, [load, revision]);

  const hasMore = runs !== null && runs.length >= limit && limit < MAX_RUNS;

  return (
    <div
      className={["patchbay-history", className].filter(Boolean).join(" ")}
      data-patchbay-history=""
      aria-busy={loading || undefined}
    >
      <ErrorMessage error={error} />
      {runs === null ? (
        loading ? (
          <p role="status" data-patchbay-loading="">
            Loading sync history…
          </p>
        ) : null
      ) : runs.length === 0 ? (
        <p data-patchbay-empty="">No syncs yet.</p>
      ) : (
        <div className="patchbay-table-scroll" data-patchbay-table-scroll="">
          <table className="patchbay-history-table" data-patchbay-history-table="">
            <caption>{caption}</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Data</th>
                <th scope="col">Trigger</th>
                <th scope="col">Mode</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Fetched</th>
                <th scope="col">Inserted</th>
                <th scope="col">Updated</th>
                <th scope="col">Deleted</th>
                <th scope="col">Failed</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => {
                const status = RUN_STATUS[run.status] ?? { icon: "", label: run.status };
                const number = (n: number) => n.toLocaleString(locale);
                return (
                  <tr key={run.id} data-patchbay-run="" data-patchbay-status={run.status}>
                    <td>
                      <time dateTime={run.startedAt}>
                        {formatDateTime(run.startedAt, { locale })}
                      </time>
                    </td>
                    <td>{humanize(run.model)}</td>
                    <td>{TRIGGER_LABELS[run.trigger] ?? run.trigger}</td>
                    <td>{run.mode === "full" ? "Full" : "Incremental"}</td>
                    <td>
                      <span aria-hidden="true">{status.icon} </span>
                      {status.label}
                    </td>
                    <td>
                      {run.finishedAt === null
                        ? "Running…"
                        : formatDuration(
                            new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime(),
                            { locale },
                          )}
                    </td>
                    <td>{number(run.fetched)}</td>
                    <td>{number(run.inserted)}</td>
                    <td>{number(run.updated)}</td>
                    <td>{number(run.deleted)}</td>
                    <td>{number(run.failed)}</td>
                    <td data-patchbay-run-error={run.error === null ? undefined : ""}>
                      {run.error ?? ""}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {hasMore ? (
        <button
          type="button"
          className="patchbay-button"
          data-patchbay-load-more=""
          aria-disabled={loading || undefined}
          onClick={() => {
            if (!loading) setLimit((l) => Math.min(l + pageSize, MAX_RUNS));
          }}
        >
          {loading ? "Loading…" : "Load more"}
        </button>
      ) : null}
    </div>
  );
}
