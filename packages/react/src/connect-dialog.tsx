import { type FormEvent, type RefObject, useId, useState } from "react";
import { Dialog } from "./dialog.js";
import { ErrorMessage } from "./error-message.js";
import { PatchbayApiError } from "./errors.js";
import { usePatchbayContext } from "./provider.js";
import { RequiredNote, SchemaFields } from "./schema-fields.js";
import type { CatalogueConnector, PublicConnection } from "./types.js";
import { useSchemaForm } from "./use-schema-form.js";

/**
 * Props of {@link ConnectDialog}.
 *
 * @example
 * ```tsx
 * const props: ConnectDialogProps = { connector, open: true, onClose: () => {} };
 * ```
 */
export interface ConnectDialogProps {
  /** A credential-form connector (API key, basic, custom, service account, client credentials). */
  connector: CatalogueConnector;
  open: boolean;
  onClose: () => void;
  /** Called with the new connection after the server accepted the credentials. */
  onConnected?: (connection: PublicConnection) => void;
  /** Focused on close when the button that opened the dialog is gone. */
  returnFocusRef?: RefObject<HTMLElement | null>;
  className?: string;
}

/**
 * The Connect dialog of credential connectors: a form generated from the
 * connector's `auth.fields` JSON Schema (secret-looking fields such as
 * `apiKey`, `secret`, `password`, `token` are password inputs), posted to
 * `POST /:connector/connect`. Validation messages show next to their field;
 * server errors (a failed connection test, a plan limit) show in the dialog.
 * `<IntegrationCard>` opens it for you; OAuth connectors never need it.
 *
 * @example
 * ```tsx
 * const [open, setOpen] = useState(false);
 * <button type="button" onClick={() => setOpen(true)}>Connect Mailchimp</button>
 * <ConnectDialog connector={mailchimp} open={open} onClose={() => setOpen(false)}
 *   onConnected={(connection) => console.log("connected", connection.id)} />
 * ```
 */
export function ConnectDialog(props: ConnectDialogProps) {
  if (!props.open) return null;
  return <ConnectDialogContent {...props} />;
}

function ConnectDialogContent({
  connector,
  open,
  onClose,
  onConnected,
  returnFocusRef,
  className,
}: ConnectDialogProps) {
  const { client } = usePatchbayContext();
  const idPrefix = useId();
  const form = useSchemaForm(connector.auth.fields, undefined, { secrets: true, idPrefix });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    setError(null);
    const credentials = form.validate();
    if (credentials === null) return;
    setBusy(true);
    try {
      const connection = await client.connectWithCredentials(connector.id, credentials);
      setBusy(false);
      onConnected?.(connection);
      onClose();
    } catch (caught) {
      setBusy(false);
      if (caught instanceof PatchbayApiError && caught.status === 400) {
        const rest = form.applyServerMessage(caught.message, "credentials");
        setError(
          rest === null
            ? null
            : rest === caught.message
              ? caught
              : new PatchbayApiError(rest, { code: caught.code, status: caught.status }),
        );
      } else {
        setError(caught);
      }
    }
  };

  return (
    <Dialog
      open={open}
      onClose={onClose}
      part="connect-dialog"
      className={className}
      returnFocusRef={returnFocusRef}
      title={`Connect ${connector.name}`}
      description={
        <p>
          Enter your {connector.name} details. They are stored encrypted and used only to sync your
          data.
          {connector.docsUrl === null ? null : (
            <>
              {" "}
              <a href={connector.docsUrl} target="_blank" rel="noreferrer">
                Where to find them (opens in a new tab)
              </a>
            </>
          )}
        </p>
      }
    >
      <form
        className="patchbay-form"
        data-patchbay-form="credentials"
        noValidate
        aria-busy={busy || undefined}
        onSubmit={onSubmit}
      >
        <RequiredNote fields={form.fields} />
        <SchemaFields
          fields={form.fields}
          values={form.values}
          errors={form.errors}
          idPrefix={idPrefix}
          onChange={form.setValue}
        />
        <ErrorMessage error={error} />
        <div className="patchbay-dialog-actions" data-patchbay-dialog-actions="">
          <button type="button" className="patchbay-button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="patchbay-button"
            data-patchbay-variant="primary"
            aria-disabled={busy || undefined}
          >
            {busy ? "Connecting…" : "Connect"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
