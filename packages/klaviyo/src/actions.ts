/**
 * One-off writes: record an event on a profile, subscribe profiles to a list,
 * upsert one profile.
 */
import { ConfigError, type ConnectorContext, defineAction, type RateLimiter } from "@patchbay/core";
import { klaviyoApi } from "./client.js";
import { KLAVIYO_PATHS } from "./endpoints.js";
import { importProfile } from "./models/profiles.js";
import {
  CreateEventInputSchema,
  type KlaviyoConfig,
  KlaviyoConfigSchema,
  type KlaviyoProfile,
  KlaviyoProfileInputSchema,
  SubscribeProfilesInputSchema,
} from "./schemas.js";

function apiFor(ctx: ConnectorContext<KlaviyoConfig>, limiter: RateLimiter) {
  return klaviyoApi(ctx.http, {
    limiter,
    scopeKey: `klaviyo:${ctx.connection.id}`,
    ...(ctx.signal !== undefined && { signal: ctx.signal }),
  });
}

/**
 * The connector's actions, throttled per endpoint by `limiter`:
 *
 * - `createEvent`: `POST /api/events` (202, processed asynchronously). The
 *   profile is found or created from its identifiers; `unique_id` makes a
 *   retried call record one event.
 * - `subscribeProfiles`: `POST /api/profile-subscription-bulk-create-jobs`
 *   (202): email marketing consent (SMS too when a phone number is given),
 *   added to the list.
 * - `upsertProfile`: `POST /api/profile-import`; returns the profile.
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ tenantId, connectionId, action: "createEvent",
 *   input: { metric: "Placed Order", email: "ada@example.com", value: 42.5, unique_id: "order-1001" } });
 * ```
 * @see https://developers.klaviyo.com/en/reference/create_event
 */
export function klaviyoActions(limiter: RateLimiter) {
  return {
    createEvent: defineAction({
      description:
        "Record an event (metric) on a profile, e.g. Placed Order with its value; deduplicated by unique_id.",
      input: CreateEventInputSchema,
      async run(ctx: ConnectorContext<KlaviyoConfig>, input) {
        await apiFor(ctx, limiter).POST(KLAVIYO_PATHS.events, {
          body: {
            data: {
              type: "event",
              attributes: {
                properties: input.properties,
                ...(input.value !== undefined && { value: input.value }),
                ...(input.value_currency !== undefined && {
                  value_currency: input.value_currency,
                }),
                ...(input.time !== undefined && { time: input.time }),
                ...(input.unique_id !== undefined && { unique_id: input.unique_id }),
                metric: { data: { type: "metric", attributes: { name: input.metric } } },
                profile: {
                  data: {
                    type: "profile",
                    attributes: {
                      ...input.profile,
                      ...(input.email !== undefined && { email: input.email }),
                      ...(input.phone_number !== undefined && {
                        phone_number: input.phone_number,
                      }),
                      ...(input.external_id !== undefined && { external_id: input.external_id }),
                    },
                  },
                },
              },
            },
          },
        });
        return { accepted: true as const, unique_id: input.unique_id ?? null };
      },
    }),
    subscribeProfiles: defineAction({
      description:
        "Subscribe profiles to email (and SMS, with a phone number) marketing and add them to a list.",
      input: SubscribeProfilesInputSchema,
      async run(ctx: ConnectorContext<KlaviyoConfig>, input) {
        const listId = input.listId ?? KlaviyoConfigSchema.parse(ctx.config ?? {}).listId;
        if (listId === undefined) {
          throw new ConfigError(
            'Klaviyo subscribeProfiles: pass "listId", or configure the connection\'s "listId"',
          );
        }
        await apiFor(ctx, limiter).POST(KLAVIYO_PATHS.subscribeJobs, {
          body: {
            data: {
              type: "profile-subscription-bulk-create-job",
              attributes: {
                ...(input.customSource !== undefined && { custom_source: input.customSource }),
                profiles: {
                  data: input.profiles.map((p) => ({
                    type: "profile" as const,
                    attributes: {
                      ...(p.email !== undefined && { email: p.email }),
                      ...(p.phone_number !== undefined && { phone_number: p.phone_number }),
                      subscriptions: {
                        ...(p.email !== undefined && {
                          email: { marketing: { consent: "SUBSCRIBED" as const } },
                        }),
                        ...(p.phone_number !== undefined && {
                          sms: { marketing: { consent: "SUBSCRIBED" as const } },
                        }),
                      },
                    },
                  })),
                },
              },
              relationships: { list: { data: { type: "list", id: listId } } },
            },
          },
        });
        return { accepted: true as const, listId, count: input.profiles.length };
      },
    }),
    upsertProfile: defineAction({
      description:
        "Create or update one profile (matched by email, phone number or external id) and return it.",
      input: KlaviyoProfileInputSchema,
      run: (ctx: ConnectorContext<KlaviyoConfig>, input): Promise<KlaviyoProfile> =>
        importProfile(apiFor(ctx, limiter), input),
    }),
  };
}
