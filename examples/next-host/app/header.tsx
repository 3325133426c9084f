/** The demo's header, as the demo kit's server-rendered pages draw it. */
import { navigation } from "@patchbay/example-demo-kit";

export function Header({ current, sandbox }: { current: string; sandbox: boolean }) {
  return (
    <header>
      <span className="brand">Pitch Tracker</span>
      {navigation(sandbox).map(([href, label]) => (
        // Plain links: the other pages are route handlers, not App Router pages.
        <a key={href} href={href} aria-current={href === current ? "page" : undefined}>
          {label}
        </a>
      ))}
      {sandbox ? (
        <span className="sandbox" title="Providers are fakes running in this process">
          Sandbox mode
        </span>
      ) : null}
    </header>
  );
}
