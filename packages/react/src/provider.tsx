import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { createPatchbayClient, type FetchFunction, type PatchbayClient } from "./client.js";
import { type IntegrationsSnapshot, IntegrationsStore } from "./integrations-store.js";
import { VisuallyHidden } from "./visually-hidden.js";

/**
 * Props of {@link PatchbayProvider}.
 *
 * @example
 * ```tsx
 * const props: PatchbayProviderProps = { baseUrl: "/integrations", locale: "en-GB", children: null };
 * ```
 */
export interface PatchbayProviderProps {
  /** Where the host mounted the Patchbay routes, e.g. `/integrations`. */
  baseUrl: string;
  /** Replaces the global `fetch`: add a CSRF header, or serve canned answers in tests. */
  fetch?: FetchFunction;
  /** Sends the browser to the OAuth connect URL. Default `window.location.assign`. */
  navigate?: (url: string) => void;
  /** Locale for dates, relative times and numbers. Default: the browser's. */
  locale?: string;
  /** Where plan-limit errors link to ("Upgrade your plan"). Without it, only the message shows. */
  upgradeUrl?: string;
  /**
   * After connecting, open the Configure dialog of the new connection when
   * its connector has settings. Default `true`.
   */
  configureAfterConnect?: boolean;
  children?: ReactNode;
}

interface PatchbayContextValue {
  client: PatchbayClient;
  store: IntegrationsStore;
  locale: string | undefined;
  upgradeUrl: string | undefined;
  configureAfterConnect: boolean;
  /** Say something to screen readers through the provider's live region. */
  announce: (message: string) => void;
  /** The connection that was just connected (OAuth return or credential form), until consumed. */
  justConnected: string | null;
  setJustConnected: (id: string | null) => void;
  /**
   * A card of this connector, other than the one of connection `except`,
   * should take focus: the card that had it went away (after a disconnect).
   */
  focusRequest: FocusRequest | null;
  setFocusRequest: (request: FocusRequest | null) => void;
}

interface FocusRequest {
  connector: string;
  except: string;
}

const PatchbayContext = createContext<PatchbayContextValue | null>(null);

function connectedFromLocation(): string | null {
  if (typeof window === "undefined") return null;
  const params = new URLSearchParams(window.location.search);
  const id = params.get("connection");
  return params.get("patchbay") === "connected" && id !== null && id !== "" ? id : null;
}

/**
 * Makes the Patchbay routes available to the components below it. Put it
 * around your integrations settings page.
 *
 * When the OAuth round trip returns (`?patchbay=connected&connection=<id>`),
 * the provider announces the new connection, removes those parameters from
 * the address bar and (by default) opens its Configure dialog.
 *
 * @example
 * ```tsx
 * import { PatchbayProvider, IntegrationsGrid } from "@patchbay/react";
 * import "@patchbay/react/styles.css";
 *
 * export function IntegrationsPage() {
 *   return (
 *     <PatchbayProvider baseUrl="/integrations">
 *       <IntegrationsGrid />
 *     </PatchbayProvider>
 *   );
 * }
 * ```
 */
export function PatchbayProvider({
  baseUrl,
  fetch,
  navigate,
  locale,
  upgradeUrl,
  configureAfterConnect = true,
  children,
}: PatchbayProviderProps) {
  // The latest fetch and navigate, so an inline function does not rebuild the client.
  const fetchRef = useRef(fetch);
  const navigateRef = useRef(navigate);
  fetchRef.current = fetch;
  navigateRef.current = navigate;
  const client = useMemo(
    () =>
      createPatchbayClient({
        baseUrl,
        fetch: (input, init) => (fetchRef.current ?? globalThis.fetch)(input, init),
        navigate: (url) => {
          if (navigateRef.current !== undefined) navigateRef.current(url);
          else window.location.assign(url);
        },
      }),
    [baseUrl],
  );
  const store = useMemo(() => new IntegrationsStore(client), [client]);
  const [message, setMessage] = useState("");
  const [justConnected, setJustConnected] = useState<string | null>(null);
  const [focusRequest, setFocusRequest] = useState<FocusRequest | null>(null);

  useEffect(() => {
    const id = connectedFromLocation();
    if (id === null) return;
    setJustConnected(id);
    const url = new URL(window.location.href);
    url.searchParams.delete("patchbay");
    url.searchParams.delete("connection");
    window.history.replaceState(
      window.history.state,
      "",
      `${url.pathname}${url.search}${url.hash}`,
    );
  }, []);

  const announce = useCallback((text: string) => {
    // Clear first so the same message twice is announced twice.
    setMessage("");
    setTimeout(() => setMessage(text), 50);
  }, []);

  const value = useMemo<PatchbayContextValue>(
    () => ({
      client,
      store,
      locale,
      upgradeUrl,
      configureAfterConnect,
      announce,
      justConnected,
      setJustConnected,
      focusRequest,
      setFocusRequest,
    }),
    [
      client,
      store,
      locale,
      upgradeUrl,
      configureAfterConnect,
      announce,
      justConnected,
      focusRequest,
    ],
  );

  return (
    <PatchbayContext.Provider value={value}>
      {children}
      <VisuallyHidden role="status" aria-live="polite" data-patchbay-announcer="">
        {message}
      </VisuallyHidden>
    </PatchbayContext.Provider>
  );
}

/** The provider's context; throws a helpful error outside `<PatchbayProvider>`. */
export function usePatchbayContext(): PatchbayContextValue {
  const value = useContext(PatchbayContext);
  if (value === null) {
    throw new Error(
      'Patchbay components must be inside <PatchbayProvider baseUrl="/integrations">',
    );
  }
  return value;
}

/**
 * The {@link PatchbayClient} of the nearest `<PatchbayProvider>`: typed
 * calls to the catalogue, connections, connect, test, configure, mapping,
 * sync, runs and disconnect routes.
 *
 * @example
 * ```tsx
 * function SyncAllButton({ ids }: { ids: string[] }) {
 *   const client = usePatchbay();
 *   return <button type="button" onClick={() => ids.forEach((id) => client.syncNow(id))}>Sync all</button>;
 * }
 * ```
 */
export function usePatchbay(): PatchbayClient {
  return usePatchbayContext().client;
}

/**
 * What {@link useIntegrations} returns: the snapshot and a way to reload it.
 *
 * @example
 * ```ts
 * const { connections, refresh }: IntegrationsState = useIntegrations();
 * ```
 */
export interface IntegrationsState extends IntegrationsSnapshot {
  /** Reload the connections (after an action elsewhere on the page). */
  refresh: () => Promise<void>;
}

/**
 * The catalogue and the tenant's connections, loaded once per provider and
 * shared by every component that asks. Cards refresh it after their actions.
 *
 * @example
 * ```tsx
 * function ConnectedCount() {
 *   const { connections } = useIntegrations();
 *   return <p>{connections.filter((c) => c.status === "active").length} connected</p>;
 * }
 * ```
 */
export function useIntegrations(options: { load?: boolean } = {}): IntegrationsState {
  const { store } = usePatchbayContext();
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const load = options.load ?? true;
  useEffect(() => {
    if (load) void store.ensureLoaded();
  }, [store, load]);
  const refresh = useCallback(() => store.refresh(), [store]);
  return useMemo(() => ({ ...snapshot, refresh }), [snapshot, refresh]);
}
