import type { HTMLAttributes } from "react";

const HIDDEN_STYLE = {
  position: "absolute",
  width: "1px",
  height: "1px",
  padding: 0,
  margin: "-1px",
  overflow: "hidden",
  clip: "rect(0, 0, 0, 0)",
  whiteSpace: "nowrap",
  border: 0,
} as const;

/** A region for screen readers only (works without the optional stylesheet). */
export function VisuallyHidden(props: HTMLAttributes<HTMLDivElement>) {
  return <div {...props} style={HIDDEN_STYLE} />;
}

/** Inline text for screen readers only. */
export function VisuallyHiddenText(props: HTMLAttributes<HTMLSpanElement>) {
  return <span {...props} style={HIDDEN_STYLE} />;
}
