import { ConfigError } from "@patchbay/core";
import { type MailchimpConfig, MailchimpConfigSchema } from "./schemas.js";

/**
 * The connection's config with defaults applied.
 *
 * @throws ConfigError naming the field when the stored config is invalid.
 * @example
 * ```ts
 * const { listId, statusIfNew } = readMailchimpConfig(ctx.config);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/
 */
export function readMailchimpConfig(config: unknown): MailchimpConfig {
  const parsed = MailchimpConfigSchema.safeParse(config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `Mailchimp config: "${issue?.path.join(".") ?? "config"}" ${issue?.message ?? "is invalid"}`,
    );
  }
  return parsed.data;
}

/**
 * The configured audience id, or a `ConfigError` telling the host how to choose one.
 *
 * @example
 * ```ts
 * const listId = requireListId(readMailchimpConfig(ctx.config));
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/get-lists-info/
 */
export function requireListId(config: MailchimpConfig): string {
  if (config.listId === undefined) {
    throw new ConfigError(
      'Mailchimp: choose an audience first — connections.configure(tenantId, id, { listId }); list the audiences with the "audiences" model or the "listAudiences" action',
    );
  }
  return config.listId;
}
