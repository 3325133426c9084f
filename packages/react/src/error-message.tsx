import { PatchbayApiError } from "./errors.js";
import { usePatchbayContext } from "./provider.js";

/** An error for the user: the server's message, and an upgrade link for plan limits. */
export function ErrorMessage({ error, id }: { error: unknown; id?: string }) {
  const { upgradeUrl } = usePatchbayContext();
  if (error === null || error === undefined) return null;
  const apiError = error instanceof PatchbayApiError ? error : null;
  const message = apiError?.message ?? "Something went wrong. Try again.";
  const planLimit = apiError?.isPlanLimit === true;
  return (
    <div
      id={id}
      role="alert"
      className="patchbay-error"
      data-patchbay-error=""
      data-patchbay-plan-limit={planLimit ? "" : undefined}
    >
      <span className="patchbay-error-message">{message}</span>
      {planLimit && upgradeUrl !== undefined ? (
        <>
          {" "}
          <a className="patchbay-upgrade-link" data-patchbay-upgrade-link="" href={upgradeUrl}>
            Upgrade your plan
          </a>
        </>
      ) : null}
    </div>
  );
}
