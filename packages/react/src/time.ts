import { useEffect, useState } from "react";

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/**
 * "2 minutes ago", "yesterday", "in 3 hours": a date relative to now, with
 * `Intl.RelativeTimeFormat` in the given locale.
 *
 * @example
 * ```ts
 * formatRelativeTime(Date.now() - 120_000, { locale: "en-US" }); // "2 minutes ago"
 * ```
 */
export function formatRelativeTime(
  date: Date | string | number,
  options: { now?: number; locale?: string } = {},
): string {
  const then = new Date(date).getTime();
  const now = options.now ?? Date.now();
  const seconds = Math.round((then - now) / 1000);
  const format = new Intl.RelativeTimeFormat(options.locale, { numeric: "auto" });
  const abs = Math.abs(seconds);
  for (const [unit, size] of UNITS) {
    if (abs >= size || unit === "second") {
      // Truncate toward zero: 119 s ago is "1 minute ago", not "2 minutes ago".
      const value = Math.trunc(seconds / size);
      return format.format(value === 0 ? 0 : value, unit);
    }
  }
  return format.format(0, "second");
}

/**
 * A date and time for tables and tooltips, e.g. "May 1, 2026, 10:00 AM".
 *
 * @example
 * ```ts
 * formatDateTime("2026-05-01T10:00:00Z", { locale: "en-GB" }); // "1 May 2026, 10:00"
 * ```
 */
export function formatDateTime(date: Date | string | number, options: { locale?: string } = {}) {
  return new Intl.DateTimeFormat(options.locale, {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(date));
}

/**
 * A duration for humans: "0.4 sec", "12 sec", "3 min 4 sec", "1 hr 2 min".
 *
 * @example
 * ```ts
 * formatDuration(184_000, { locale: "en-US" }); // "3 min 4 sec"
 * ```
 */
export function formatDuration(ms: number, options: { locale?: string } = {}): string {
  const unit = (value: number, name: "second" | "minute" | "hour", digits = 0) =>
    new Intl.NumberFormat(options.locale, {
      style: "unit",
      unit: name,
      unitDisplay: "short",
      maximumFractionDigits: digits,
    }).format(value);
  const list = (parts: string[]) =>
    new Intl.ListFormat(options.locale, { style: "narrow", type: "unit" }).format(parts);
  if (ms < 10_000) return unit(Math.max(0, ms) / 1000, "second", 1);
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return unit(totalSeconds, "second");
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return list([unit(hours, "hour"), unit(minutes, "minute")]);
  return list([unit(minutes, "minute"), unit(seconds, "second")]);
}

/**
 * The current time, re-read every `intervalMs` (default 30 s) so relative
 * times ("2 minutes ago") stay true while the page is open.
 *
 * @example
 * ```tsx
 * const now = useNow();
 * return <span>{formatRelativeTime(lastSync, { now })}</span>;
 * ```
 */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
