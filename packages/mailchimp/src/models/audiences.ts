import {
  type ActionDefinition,
  defineModel,
  type HttpClient,
  paginateOffset,
} from "@patchbay/core";
import { z } from "zod";
import { MAILCHIMP_PATHS } from "../endpoints.js";
import { MailchimpAudienceSchema, type MailchimpListsPage } from "../schemas.js";

/**
 * Mailchimp's largest `count`.
 * @example
 * ```ts
 * mailchimp({ pageSize: MAILCHIMP_MAX_COUNT });
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/methods-parameters/#pagination
 */
export const MAILCHIMP_MAX_COUNT = 1000;

/**
 * Page through every audience of the account (`GET /lists`, count/offset).
 *
 * @example
 * ```ts
 * for await (const audiences of listAudiencePages(http, 1000)) console.log(audiences.length);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/get-lists-info/
 */
export function listAudiencePages(http: HttpClient, pageSize: number): AsyncGenerator<unknown[]> {
  return paginateOffset<unknown, MailchimpListsPage>(
    http,
    {
      path: MAILCHIMP_PATHS.lists,
      query: { sort_field: "date_created", sort_dir: "ASC", exclude_fields: "_links,lists._links" },
    },
    {
      items: (page) => page.lists,
      total: (page) => page.total_items,
      pageSize,
      limitParam: "count",
    },
  );
}

/**
 * The `audiences` model: every audience (list) of the account, full sync.
 * Use it (or the `listAudiences` action) to let the user pick the `listId`.
 *
 * @example
 * ```ts
 * await patchbay.sync.run({ tenantId, connectionId, model: "audiences" });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/get-lists-info/
 */
export function audiencesModel(pageSize: number) {
  return defineModel({
    description: "Audiences (lists) of the account, with member counts.",
    schema: MailchimpAudienceSchema,
    key: "id",
    modes: ["full"],
    async *sync(ctx) {
      for await (const audiences of listAudiencePages(ctx.http, pageSize)) {
        yield { records: audiences };
      }
    },
  });
}

/**
 * What `listAudiences` returns: enough for a picker.
 * @example
 * ```ts
 * const choice: AudienceChoice = { id: "a1b2c3d4e5", name: "Radio contacts", memberCount: 1204 };
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/get-lists-info/
 */
export interface AudienceChoice {
  id: string;
  name: string;
  memberCount: number;
}

/**
 * The `listAudiences` action: the account's audiences for a "choose your
 * audience" picker, without syncing them.
 *
 * @example
 * ```ts
 * const connection = await patchbay.connections.get(tenantId, id);
 * const http = await patchbay.connections.http(tenantId, id);
 * const choices = await connector.actions!.listAudiences!.run(
 *   { connection, config: connection.config, metadata: connection.metadata, http, logger: console },
 *   {},
 * );
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/get-lists-info/
 */
export function listAudiencesAction(
  pageSize: number,
): ActionDefinition<z.ZodObject<Record<string, never>>, AudienceChoice[]> {
  return {
    description: "List the account's audiences (id, name, member count) to choose the listId.",
    input: z.object({}),
    async run(ctx) {
      const out: AudienceChoice[] = [];
      for await (const page of listAudiencePages(ctx.http, pageSize)) {
        for (const raw of page) {
          const audience = MailchimpAudienceSchema.parse(raw);
          out.push({
            id: audience.id,
            name: audience.name,
            memberCount: audience.stats?.member_count ?? 0,
          });
        }
      }
      return out;
    },
  };
}
