/** The root layout of the App Router pages, with the demo's stylesheet. */
import { PAGE_STYLE } from "@patchbay/example-demo-kit";
import type { Metadata } from "next";
import type { ReactNode } from "react";

export const metadata: Metadata = {
  title: { template: "%s · Pitch Tracker", default: "Pitch Tracker" },
  icons: { icon: "data:," },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: the demo kit's own constant stylesheet */}
        <style dangerouslySetInnerHTML={{ __html: PAGE_STYLE }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
