import { type FormEvent, type RefObject, useId, useState } from "react";
import { Dialog } from "./dialog.js";
import { ErrorMessage } from "./error-message.js";
import { PatchbayApiError } from "./errors.js";
import { FieldMappingEditor } from "./field-mapping-editor.js";
import { usePatchbayContext } from "./provider.js";
import { RequiredNote, SchemaFields } from "./schema-fields.js";
import type { CatalogueConnector, MappingFields, PublicConnection, TestResult } from "./types.js";
import { useSchemaForm } from "./use-schema-form.js";

/**
 * Props of {@link ConfigureDialog}.
 *
 * @example
 * ```tsx
 * const props: ConfigureDialogProps = { connector, connection, open: true, onClose: () => {} };
 * ```
 */
export interface ConfigureDialogProps {
  connector: CatalogueConnector;
  connection: PublicConnection;
  open: boolean;
  onClose: () => void;
  /** Your fields (and the provider's, when known) per model, for the mapping editor. */
  mappingFields?: MappingFields;
  /** Called with the updated connection after settings or a mapping are saved. */
  onSaved?: (connection: PublicConnection) => void;
  /** Focused on close when the button that opened the dialog is gone. */
  returnFocusRef?: RefObject<HTMLElement | null>;
  className?: string;
}

/**
 * The Configure dialog: the connection's settings as a form generated from
 * the connector's `config` JSON Schema (labels, help text, required
 * markers, validation messages next to each field), saved with
 * `PUT /connections/:id/config`; a "Test connection" button that shows the
 * result; and the field-mapping editor. Settings the form cannot show
 * (lists, nested objects) are kept as they are.
 *
 * @example
 * ```tsx
 * const [open, setOpen] = useState(false);
 * <button type="button" onClick={() => setOpen(true)}>Configure</button>
 * <ConfigureDialog connector={sheets} connection={connection} open={open}
 *   onClose={() => setOpen(false)} mappingFields={{ rows: { host: ["artist", "status"] } }} />
 * ```
 */
export function ConfigureDialog(props: ConfigureDialogProps) {
  if (!props.open) return null;
  return <ConfigureDialogContent {...props} />;
}

function ConfigureDialogContent({
  connector,
  connection: initial,
  open,
  onClose,
  mappingFields,
  onSaved,
  returnFocusRef,
  className,
}: ConfigureDialogProps) {
  const { client, store } = usePatchbayContext();
  const idPrefix = useId();
  const [connection, setConnection] = useState(initial);
  const form = useSchemaForm(connector.config, initial.config, { idPrefix });
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saveStatus, setSaveStatus] = useState("");
  const [testing, setTesting] = useState(false);
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  const [testError, setTestError] = useState<unknown>(null);

  const saved = (updated: PublicConnection) => {
    setConnection(updated);
    onSaved?.(updated);
    void store.refresh();
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (saving) return;
    setSaveError(null);
    setSaveStatus("");
    const config = form.validate();
    if (config === null) return;
    setSaving(true);
    try {
      const updated = await client.configure(connection.id, config);
      setSaving(false);
      setSaveStatus("Settings saved.");
      saved(updated);
    } catch (caught) {
      setSaving(false);
      if (caught instanceof PatchbayApiError && caught.status === 400) {
        const rest = form.applyServerMessage(caught.message, "config");
        setSaveError(
          rest === null
            ? null
            : rest === caught.message
              ? caught
              : new PatchbayApiError(rest, { code: caught.code, status: caught.status }),
        );
      } else {
        setSaveError(caught);
      }
    }
  };

  const onTest = async () => {
    if (testing) return;
    setTesting(true);
    setTestResult(null);
    setTestError(null);
    try {
      setTestResult(await client.test(connection.id));
      void store.refresh();
    } catch (caught) {
      setTestError(caught);
    } finally {
      setTesting(false);
    }
  };

  const settingsId = `${idPrefix}-settings`;
  const testId = `${idPrefix}-test`;

  return (
    <Dialog
      open={open}
      onClose={onClose}
      part="configure-dialog"
      className={className}
      returnFocusRef={returnFocusRef}
      title={`Configure ${connector.name}`}
    >
      {form.fields.length > 0 ? (
        <section aria-labelledby={settingsId} data-patchbay-settings="">
          <h3 id={settingsId} className="patchbay-section-title">
            Settings
          </h3>
          <form
            className="patchbay-form"
            data-patchbay-form="config"
            noValidate
            aria-busy={saving || undefined}
            onSubmit={onSubmit}
          >
            <RequiredNote fields={form.fields} />
            <SchemaFields
              fields={form.fields}
              values={form.values}
              errors={form.errors}
              idPrefix={idPrefix}
              onChange={(name, value) => {
                setSaveStatus("");
                form.setValue(name, value);
              }}
            />
            <ErrorMessage error={saveError} />
            <div className="patchbay-form-actions" data-patchbay-form-actions="">
              <button
                type="submit"
                className="patchbay-button"
                data-patchbay-variant="primary"
                aria-disabled={saving || undefined}
              >
                {saving ? "Saving…" : "Save settings"}
              </button>
            </div>
            <p role="status" className="patchbay-form-status" data-patchbay-form-status="">
              {saveStatus}
            </p>
          </form>
        </section>
      ) : null}
      <section aria-labelledby={testId} data-patchbay-test="">
        <h3 id={testId} className="patchbay-section-title">
          Connection
        </h3>
        <button
          type="button"
          className="patchbay-button"
          aria-disabled={testing || undefined}
          onClick={onTest}
        >
          {testing ? "Testing…" : "Test connection"}
        </button>
        <p
          role="status"
          className="patchbay-test-result"
          data-patchbay-test-result={
            testResult === null ? undefined : testResult.ok ? "success" : "failure"
          }
        >
          {testing ? "Testing the connection…" : null}
          {testResult?.ok === true ? (
            <>
              <span aria-hidden="true">✓ </span>Connection works.
            </>
          ) : null}
          {testResult?.ok === false ? (
            <>
              <span aria-hidden="true">✗ </span>Connection failed:{" "}
              {testResult.message ?? "the provider did not say why"}
            </>
          ) : null}
        </p>
        <ErrorMessage error={testError} />
      </section>
      <FieldMappingEditor
        connector={connector}
        connection={connection}
        fields={mappingFields}
        onSaved={saved}
      />
      <div className="patchbay-dialog-actions" data-patchbay-dialog-actions="">
        <button type="button" className="patchbay-button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
