import { type FormEvent, type RefObject, useId, useState } from "react";
import { Dialog } from "./dialog.js";
import { ErrorMessage } from "./error-message.js";
import { usePatchbayContext } from "./provider.js";
import type { CatalogueConnector, PublicConnection } from "./types.js";

/**
 * What a disconnect did, as `<DisconnectDialog onDisconnected>` reports it.
 *
 * @example
 * ```ts
 * const onDisconnected = ({ revoked, purged }: DisconnectResult) => console.log(revoked, purged);
 * ```
 */
export interface DisconnectResult {
  /** Whether the provider confirmed the access was revoked. */
  revoked: boolean;
  /** Whether synced data was deleted too. */
  purged: boolean;
}

/**
 * Props of {@link DisconnectDialog}.
 *
 * @example
 * ```tsx
 * const props: DisconnectDialogProps = { connector, connection, open: true, onClose: () => {} };
 * ```
 */
export interface DisconnectDialogProps {
  connector: CatalogueConnector;
  connection: PublicConnection;
  open: boolean;
  onClose: () => void;
  onDisconnected?: (result: DisconnectResult) => void;
  /** Focused on close when the button that opened the dialog is gone. */
  returnFocusRef?: RefObject<HTMLElement | null>;
  className?: string;
}

/**
 * "Disconnect Google Sheets?": says that syncing stops, that Patchbay's
 * access at the provider is revoked (or, for keys you entered, deleted), and
 * what happens to the data already synced: kept, or deleted with "Also
 * delete synced data" checked (`DELETE /connections/:id?purge=true`).
 *
 * @example
 * ```tsx
 * <DisconnectDialog connector={sheets} connection={connection} open={open}
 *   onClose={() => setOpen(false)} onDisconnected={({ purged }) => toast(purged ? "Deleted" : "Disconnected")} />
 * ```
 */
export function DisconnectDialog(props: DisconnectDialogProps) {
  if (!props.open) return null;
  return <DisconnectDialogContent {...props} />;
}

function DisconnectDialogContent({
  connector,
  connection,
  open,
  onClose,
  onDisconnected,
  returnFocusRef,
  className,
}: DisconnectDialogProps) {
  const { client } = usePatchbayContext();
  const id = useId();
  const [purge, setPurge] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const name = connector.name;
  const oauth = connector.auth.kind === "oauth2";

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const result = await client.disconnect(connection.id, { purge });
      setBusy(false);
      onDisconnected?.({ revoked: result.revoked, purged: purge });
      onClose();
    } catch (caught) {
      setBusy(false);
      setError(caught);
    }
  };

  const purgeHelpId = `${id}-purge-help`;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      role="alertdialog"
      part="disconnect-dialog"
      className={className}
      returnFocusRef={returnFocusRef}
      title={`Disconnect ${name}?`}
      description={
        <>
          <p>
            Syncing with {name} stops.{" "}
            {oauth
              ? `Access to your ${name} account will be revoked at ${name}.`
              : `The ${name} credentials you entered will be deleted, so this app can no longer reach ${name}. To revoke the key itself, delete it in your ${name} account.`}
          </p>
          <p data-patchbay-retention={purge ? "delete" : "keep"}>
            {purge
              ? `Records synced from ${name} and the sync history will be permanently deleted.`
              : `Records already synced from ${name} are kept, with the sync history.`}
          </p>
        </>
      }
    >
      <form className="patchbay-form" data-patchbay-form="disconnect" onSubmit={onSubmit}>
        <div className="patchbay-field" data-patchbay-field="boolean">
          <div className="patchbay-checkbox-row">
            <input
              id={`${id}-purge`}
              type="checkbox"
              className="patchbay-checkbox"
              checked={purge}
              aria-describedby={purgeHelpId}
              onChange={(e) => setPurge(e.currentTarget.checked)}
            />
            <label htmlFor={`${id}-purge`} className="patchbay-label">
              Also delete synced data
            </label>
          </div>
          <p id={purgeHelpId} className="patchbay-help" data-patchbay-help="">
            This cannot be undone.
          </p>
        </div>
        <ErrorMessage error={error} />
        <div className="patchbay-dialog-actions" data-patchbay-dialog-actions="">
          <button type="button" className="patchbay-button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="patchbay-button"
            data-patchbay-variant="danger"
            aria-disabled={busy || undefined}
          >
            {busy ? "Disconnecting…" : purge ? "Disconnect and delete data" : "Disconnect"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
