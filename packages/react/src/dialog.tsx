import {
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
  useEffect,
  useId,
  useRef,
} from "react";
import { createPortal } from "react-dom";

const FOCUSABLE = [
  "a[href]",
  "button:not([disabled])",
  'input:not([disabled]):not([type="hidden"])',
  "select:not([disabled])",
  "textarea:not([disabled])",
  '[tabindex]:not([tabindex="-1"])',
].join(",");
const FIELD =
  'input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled])';

function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => el.closest("[hidden]") === null && el.getAttribute("aria-hidden") !== "true",
  );
}

/** Props of the internal modal dialog shared by the Connect, Configure and Disconnect dialogs. */
export interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  /** Text read with the title when the dialog opens (`aria-describedby`). */
  description?: ReactNode;
  children?: ReactNode;
  /** The stable `data-patchbay-*` part name, e.g. `configure-dialog`. */
  part: string;
  className?: string;
  /** Focused on close when the element that opened the dialog is gone. */
  returnFocusRef?: RefObject<HTMLElement | null>;
  /** `alertdialog` for confirmations. */
  role?: "dialog" | "alertdialog";
}

/**
 * A modal dialog: focuses its first field on open, keeps Tab and Shift+Tab
 * inside, closes on Escape, and returns focus to whatever opened it.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  part,
  className,
  returnFocusRef,
  role = "dialog",
}: DialogProps) {
  const titleId = useId();
  const descriptionId = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const panel = panelRef.current;
    if (panel !== null) {
      const first = panel.querySelector<HTMLElement>(FIELD) ?? focusables(panel)[0] ?? panel;
      first.focus();
    }
    // Focus that escapes (a click on the page behind) comes back in.
    const onFocusIn = (event: FocusEvent) => {
      const current = panelRef.current;
      if (current === null || !(event.target instanceof Node)) return;
      if (!current.contains(event.target)) (focusables(current)[0] ?? current).focus();
    };
    document.addEventListener("focusin", onFocusIn);
    return () => {
      document.removeEventListener("focusin", onFocusIn);
      const target =
        previous?.isConnected && previous !== document.body ? previous : returnFocusRef?.current;
      // After the dialog has left the DOM, so the focus-in guard is gone.
      queueMicrotask(() => target?.focus());
    };
  }, [open, returnFocusRef]);

  if (!open || typeof document === "undefined") return null;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      event.preventDefault();
      onCloseRef.current();
      return;
    }
    if (event.key !== "Tab" || panelRef.current === null) return;
    const items = focusables(panelRef.current);
    const first = items[0];
    const last = items[items.length - 1];
    if (first === undefined || last === undefined) {
      event.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (event.shiftKey && (active === first || active === panelRef.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div className="patchbay-backdrop" data-patchbay-backdrop="">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the role is "dialog" or "alertdialog" (from props); Escape and the focus trap live on the panel */}
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: same: aria-modal belongs to dialog and alertdialog */}
      <div
        ref={panelRef}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description === undefined ? undefined : descriptionId}
        tabIndex={-1}
        className={["patchbay-dialog", className].filter(Boolean).join(" ")}
        data-patchbay-dialog=""
        {...{ [`data-patchbay-${part}`]: "" }}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId} className="patchbay-dialog-title" data-patchbay-dialog-title="">
          {title}
        </h2>
        {description === undefined ? null : (
          <div
            id={descriptionId}
            className="patchbay-dialog-description"
            data-patchbay-dialog-description=""
          >
            {description}
          </div>
        )}
        {children}
      </div>
    </div>,
    document.body,
  );
}
