/**
 * The connection's settings with defaults applied: a connection that was
 * never configured stores `{}`.
 */
import { type GoogleBusinessProfileConfig, GoogleBusinessProfileConfigSchema } from "./schemas.js";

/**
 * The connection's config, defaults filled in.
 *
 * @example
 * ```ts
 * settingsOf({}).metricsDays; // 30
 * ```
 * @see https://developers.google.com/my-business/reference/rest
 */
export function settingsOf(config: unknown): GoogleBusinessProfileConfig {
  return GoogleBusinessProfileConfigSchema.parse(config ?? {});
}
