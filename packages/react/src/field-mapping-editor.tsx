import { type FormEvent, useEffect, useId, useMemo, useState } from "react";
import { ErrorMessage } from "./error-message.js";
import { PatchbayApiError } from "./errors.js";
import { humanize } from "./json-schema.js";
import { usePatchbayContext } from "./provider.js";
import type { CatalogueConnector, MappingFields, PublicConnection } from "./types.js";
import { VisuallyHiddenText } from "./visually-hidden.js";

/**
 * What a mapping error from `PUT /connections/:id/mapping/:model` is about:
 * the host field of the row it concerns, which side is wrong, and the
 * provider fields the server says are available (when it says).
 *
 * @example
 * ```ts
 * parseMappingError('Field mapping of "rows": unknown column "Artst" (for "artist"); available: Artist, Status');
 * // { hostField: "artist", side: "provider", available: ["Artist", "Status"] }
 * ```
 */
export function parseMappingError(
  message: string,
): { hostField: string; side: "host" | "provider"; available: string[] | null } | null {
  const unknownProvider = /unknown \w+ "[^"]*" \(for "([^"]*)"\); available: (.*)$/.exec(message);
  if (unknownProvider !== null) {
    const list = (unknownProvider[2] ?? "").trim();
    return {
      hostField: unknownProvider[1] ?? "",
      side: "provider",
      available: list === "none" || list === "" ? [] : list.split(", ").map((s) => s.trim()),
    };
  }
  const unknownHost = /unknown host field "([^"]*)"/.exec(message);
  if (unknownHost !== null)
    return { hostField: unknownHost[1] ?? "", side: "host", available: null };
  const twice = /is mapped twice \("[^"]*" and "([^"]*)"\)/.exec(message);
  if (twice !== null) return { hostField: twice[1] ?? "", side: "provider", available: null };
  const empty = /: "([^"]*)" must map to a non-empty provider/.exec(message);
  if (empty !== null) return { hostField: empty[1] ?? "", side: "provider", available: null };
  return null;
}

/**
 * Props of {@link FieldMappingEditor}.
 *
 * @example
 * ```tsx
 * const props: FieldMappingEditorProps = { connector, connection, fields: { rows: { host: ["artist", "status"] } } };
 * ```
 */
export interface FieldMappingEditorProps {
  connector: CatalogueConnector;
  connection: PublicConnection;
  /** Your fields (and the provider's, when you know them) per model. */
  fields?: MappingFields;
  /** Called with the updated connection after a mapping is saved. */
  onSaved?: (connection: PublicConnection) => void;
  /** Heading level of the section title. Default 3. */
  headingLevel?: 2 | 3 | 4 | 5 | 6;
}

interface Row {
  key: number;
  host: string;
  provider: string;
}

interface RowError {
  side: "host" | "provider";
  message: string;
}

let nextRowKey = 1;

function rowsFor(
  connection: PublicConnection,
  model: string,
  hostFields: string[] | undefined,
): Row[] {
  const mapping = connection.fieldMappings[model];
  if (mapping !== undefined && Object.keys(mapping).length > 0) {
    return Object.entries(mapping).map(([host, provider]) => ({
      key: nextRowKey++,
      host,
      provider,
    }));
  }
  if (hostFields !== undefined && hostFields.length > 0) {
    return hostFields.map((host) => ({ key: nextRowKey++, host, provider: "" }));
  }
  return [{ key: nextRowKey++, host: "", provider: "" }];
}

/**
 * The field-mapping editor: rows of your field ↔ the provider's field for
 * one model, saved with `PUT /connections/:id/mapping/:model`. When the
 * server rejects a field it names it: the message shows next to that row,
 * and the fields the server lists as available become the row's choices.
 * Part of `<ConfigureDialog>`; usable on its own.
 *
 * @example
 * ```tsx
 * <FieldMappingEditor connector={sheets} connection={connection}
 *   fields={{ rows: { host: ["artist", "station", "status"] } }} />
 * ```
 */
export function FieldMappingEditor({
  connector,
  connection,
  fields = {},
  onSaved,
  headingLevel = 3,
}: FieldMappingEditorProps) {
  const { client } = usePatchbayContext();
  const id = useId();
  const models = connector.models;
  const initialModel =
    models.find(
      (m) => fields[m.name]?.host !== undefined || connection.fieldMappings[m.name] !== undefined,
    )?.name ??
    models[0]?.name ??
    "";
  const [model, setModel] = useState(initialModel);
  const hostFields = fields[model]?.host;
  const [rows, setRows] = useState<Row[]>(() => rowsFor(connection, model, hostFields));
  const [learned, setLearned] = useState<Record<string, string[]>>({});
  const [rowErrors, setRowErrors] = useState<Record<number, RowError>>({});
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const [focusTarget, setFocusTarget] = useState<string | null>(null);

  const providerOptions = useMemo(
    () => learned[model] ?? fields[model]?.provider ?? null,
    [learned, fields, model],
  );

  useEffect(() => {
    if (focusTarget === null) return;
    document.getElementById(focusTarget)?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  if (models.length === 0) return null;

  const Heading = `h${headingLevel}` as const;
  const providerLabel = `${connector.name} field`;
  const controlId = (row: Row, side: "host" | "provider") => `${id}-${side}-${row.key}`;
  const rowName = (row: Row, index: number) =>
    row.host.trim() === "" ? `row ${index + 1}` : row.host.trim();

  const changeModel = (next: string) => {
    setModel(next);
    setRows(rowsFor(connection, next, fields[next]?.host));
    setRowErrors({});
    setError(null);
    setStatus("");
  };

  const update = (key: number, patch: Partial<Row>) => {
    setRows((previous) => previous.map((r) => (r.key === key ? { ...r, ...patch } : r)));
    setRowErrors((previous) => {
      if (previous[key] === undefined) return previous;
      const next = { ...previous };
      delete next[key];
      return next;
    });
    setStatus("");
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    setError(null);
    setStatus("");
    const errors: Record<number, RowError> = {};
    const mapping: Record<string, string> = {};
    const seen = new Set<string>();
    for (const row of rows) {
      const host = row.host.trim();
      const provider = row.provider.trim();
      if (host === "" && provider === "") continue;
      if (host === "") {
        errors[row.key] = {
          side: "host",
          message: "Choose one of your fields, or remove this row.",
        };
      } else if (provider === "") {
        errors[row.key] = {
          side: "provider",
          message: `Choose a ${providerLabel} for “${host}”, or remove this row.`,
        };
      } else if (seen.has(host)) {
        errors[row.key] = { side: "host", message: `“${host}” is already mapped above.` };
      } else {
        seen.add(host);
        mapping[host] = provider;
      }
    }
    const firstBad = rows.find((r) => errors[r.key] !== undefined);
    setRowErrors(errors);
    if (firstBad !== undefined) {
      setFocusTarget(controlId(firstBad, errors[firstBad.key]?.side ?? "provider"));
      return;
    }
    if (Object.keys(mapping).length === 0) {
      setError(
        new PatchbayApiError("Map at least one field before saving.", {
          code: "empty_mapping",
          status: 0,
        }),
      );
      return;
    }
    setBusy(true);
    try {
      const updated = await client.setMapping(connection.id, model, mapping);
      setBusy(false);
      setStatus("Field mapping saved.");
      onSaved?.(updated);
    } catch (caught) {
      setBusy(false);
      const parsed =
        caught instanceof PatchbayApiError && caught.status === 400
          ? parseMappingError(caught.message)
          : null;
      const row =
        parsed === null ? undefined : rows.find((r) => r.host.trim() === parsed.hostField);
      if (parsed === null || row === undefined || !(caught instanceof PatchbayApiError)) {
        setError(caught);
        return;
      }
      if (parsed.available !== null) {
        const available = parsed.available;
        setLearned((previous) => ({ ...previous, [model]: available }));
      }
      setRowErrors({ [row.key]: { side: parsed.side, message: caught.message } });
      setFocusTarget(controlId(row, parsed.side));
    }
  };

  const headingId = `${id}-heading`;
  const providerHeaderId = `${id}-provider-header`;
  const hostHeaderId = `${id}-host-header`;

  return (
    <section
      className="patchbay-mapping"
      data-patchbay-mapping=""
      aria-labelledby={headingId}
      aria-busy={busy || undefined}
    >
      <Heading id={headingId} className="patchbay-section-title">
        Field mapping
      </Heading>
      <p className="patchbay-help" data-patchbay-help="">
        Choose which {connector.name} field each of your fields syncs with.
      </p>
      <form noValidate onSubmit={onSubmit} className="patchbay-form" data-patchbay-form="mapping">
        {models.length > 1 ? (
          <div className="patchbay-field" data-patchbay-field="model">
            <label htmlFor={`${id}-model`} className="patchbay-label">
              Synced data
            </label>
            <select
              id={`${id}-model`}
              className="patchbay-select"
              value={model}
              onChange={(e) => changeModel(e.currentTarget.value)}
            >
              {models.map((m) => (
                <option key={m.name} value={m.name}>
                  {humanize(m.name)}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <table className="patchbay-mapping-table" data-patchbay-mapping-table="">
          <thead>
            <tr>
              <th scope="col" id={hostHeaderId}>
                Your field
              </th>
              <th scope="col" id={providerHeaderId}>
                {providerLabel}
              </th>
              <th scope="col">
                <VisuallyHiddenText>Actions</VisuallyHiddenText>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const rowError = rowErrors[row.key];
              const errorId = `${id}-error-${row.key}`;
              const name = rowName(row, index);
              const hostOptions =
                hostFields === undefined
                  ? null
                  : hostFields.includes(row.host) || row.host === ""
                    ? hostFields
                    : [...hostFields, row.host];
              const providerChoices =
                providerOptions === null
                  ? null
                  : providerOptions.includes(row.provider) || row.provider === ""
                    ? providerOptions
                    : [...providerOptions, row.provider];
              const describe = (side: "host" | "provider") =>
                rowError?.side === side
                  ? { "aria-describedby": errorId, "aria-invalid": true as const }
                  : {};
              return (
                <tr
                  key={row.key}
                  data-patchbay-mapping-row=""
                  data-patchbay-invalid={rowError === undefined ? undefined : ""}
                >
                  <td>
                    {hostOptions === null ? (
                      <input
                        id={controlId(row, "host")}
                        className="patchbay-input"
                        aria-label={`Your field, row ${index + 1}`}
                        value={row.host}
                        onChange={(e) => update(row.key, { host: e.currentTarget.value })}
                        {...describe("host")}
                      />
                    ) : (
                      <select
                        id={controlId(row, "host")}
                        className="patchbay-select"
                        aria-label={`Your field, row ${index + 1}`}
                        value={row.host}
                        onChange={(e) => update(row.key, { host: e.currentTarget.value })}
                        {...describe("host")}
                      >
                        <option value="">Choose…</option>
                        {hostOptions.map((f) => (
                          <option key={f} value={f}>
                            {f}
                          </option>
                        ))}
                      </select>
                    )}
                  </td>
                  <td>
                    {providerChoices === null ? (
                      <input
                        id={controlId(row, "provider")}
                        className="patchbay-input"
                        aria-label={`${providerLabel} for ${name}`}
                        value={row.provider}
                        onChange={(e) => update(row.key, { provider: e.currentTarget.value })}
                        {...describe("provider")}
                      />
                    ) : (
                      <select
                        id={controlId(row, "provider")}
                        className="patchbay-select"
                        aria-label={`${providerLabel} for ${name}`}
                        value={row.provider}
                        onChange={(e) => update(row.key, { provider: e.currentTarget.value })}
                        {...describe("provider")}
                      >
                        <option value="">Choose…</option>
                        {providerChoices.map((f) => (
                          <option key={f} value={f}>
                            {providerOptions?.includes(f) === false ? `${f} (not found)` : f}
                          </option>
                        ))}
                      </select>
                    )}
                    {rowError === undefined ? null : (
                      <p id={errorId} className="patchbay-field-error" data-patchbay-field-error="">
                        {rowError.message}
                      </p>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="patchbay-button"
                      data-patchbay-variant="quiet"
                      aria-label={`Remove ${name}`}
                      onClick={() => {
                        const remaining = rows.filter((r) => r.key !== row.key);
                        setRows(remaining);
                        setStatus("");
                        // Keep focus in the table: on the next row's remove button, or Add field.
                        const next = remaining[index] ?? remaining[index - 1];
                        setFocusTarget(
                          next === undefined ? `${id}-add` : `${id}-remove-${next.key}`,
                        );
                      }}
                      id={`${id}-remove-${row.key}`}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <ErrorMessage error={error} />
        <div className="patchbay-form-actions" data-patchbay-form-actions="">
          <button
            type="button"
            id={`${id}-add`}
            className="patchbay-button"
            onClick={() => {
              const row = { key: nextRowKey++, host: "", provider: "" };
              setRows((previous) => [...previous, row]);
              setFocusTarget(controlId(row, "host"));
            }}
          >
            Add field
          </button>
          <button
            type="submit"
            className="patchbay-button"
            data-patchbay-variant="primary"
            aria-disabled={busy || undefined}
          >
            {busy ? "Saving…" : "Save mapping"}
          </button>
        </div>
        <p role="status" className="patchbay-form-status" data-patchbay-form-status="">
          {status}
        </p>
      </form>
    </section>
  );
}
