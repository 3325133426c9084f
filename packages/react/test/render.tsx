import { type RenderResult, render } from "@testing-library/react";
import userEvent, { type UserEvent } from "@testing-library/user-event";
import type { ReactNode } from "react";
import { PatchbayProvider, type PatchbayProviderProps } from "../src/index.js";
import { BASE, type FakeHost } from "./fake-host.js";

/** Render under a provider whose fetch is the fake host. */
export function renderWithHost(
  ui: ReactNode,
  host: FakeHost,
  props: Partial<Omit<PatchbayProviderProps, "children">> = {},
): RenderResult & { user: UserEvent } {
  const user = userEvent.setup();
  const result = render(
    <PatchbayProvider baseUrl={BASE} fetch={host.fetch} locale="en-US" {...props}>
      {ui}
    </PatchbayProvider>,
  );
  return { user, ...result };
}

/** A promise the test resolves when it wants (to hold a request open). */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
