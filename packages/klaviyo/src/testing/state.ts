/**
 * The fake Klaviyo account's data: profiles, lists, metrics and events,
 * webhooks. Times come from the fake's clock and only move forward, so
 * `updated` orders changes the way Klaviyo's does.
 */
import { randomBytes } from "node:crypto";

/**
 * Profile attributes the fake keeps (Klaviyo's names).
 *
 * @example
 * ```ts
 * fake.addProfile({ email: "ada@example.com", properties: { plan: "pro" } } satisfies Partial<FakeProfileAttributes>);
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_profiles
 */
export interface FakeProfileAttributes {
  email: string | null;
  phone_number: string | null;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  organization: string | null;
  locale: string | null;
  title: string | null;
  image: string | null;
  location: Record<string, unknown>;
  properties: Record<string, unknown>;
}

/**
 * A profile in the fake, with its list memberships and consent.
 *
 * @example
 * ```ts
 * const p: FakeProfile | undefined = fake.state.profiles.get(id);
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_profiles
 */
export interface FakeProfile extends FakeProfileAttributes {
  id: string;
  created: string;
  updated: string;
  last_event_date: string | null;
  /** List ids the profile is a member of. */
  lists: Set<string>;
  /** Marketing consent per channel. */
  consent: {
    email: "SUBSCRIBED" | "UNSUBSCRIBED" | "NEVER_SUBSCRIBED";
    sms: "SUBSCRIBED" | "UNSUBSCRIBED" | "NEVER_SUBSCRIBED";
  };
}

/**
 * A list in the fake.
 *
 * @example
 * ```ts
 * const l: FakeList | undefined = fake.state.lists.get(listId);
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_lists
 */
export interface FakeList {
  id: string;
  name: string;
  created: string;
  updated: string;
  opt_in_process: "double_opt_in" | "single_opt_in";
}

/**
 * An event recorded by the fake.
 *
 * @example
 * ```ts
 * const [order]: FakeEvent[] = fake.events(profileId);
 * ```
 * @see https://developers.klaviyo.com/en/reference/create_event
 */
export interface FakeEvent {
  id: string;
  metricId: string;
  metric: string;
  profileId: string;
  properties: Record<string, unknown>;
  value: number | null;
  value_currency: string | null;
  datetime: string;
  unique_id: string;
}

/**
 * A webhook registered through the Webhooks API (with its secret).
 *
 * @example
 * ```ts
 * const [hook]: FakeWebhook[] = [...fake.state.webhooks.values()];
 * ```
 * @see https://developers.klaviyo.com/en/reference/create_webhook
 */
export interface FakeWebhook {
  id: string;
  name: string;
  description: string | null;
  endpoint_url: string;
  secret_key: string;
  topics: string[];
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

/**
 * Attribute keys profile import may set.
 *
 * @example
 * ```ts
 * PROFILE_ATTRIBUTE_KEYS.includes("external_id"); // true
 * ```
 * @see https://developers.klaviyo.com/en/reference/create_or_update_profile
 */
export const PROFILE_ATTRIBUTE_KEYS = [
  "email",
  "phone_number",
  "external_id",
  "first_name",
  "last_name",
  "organization",
  "locale",
  "title",
  "image",
  "location",
  "properties",
] as const;

const ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LIST_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/**
 * Klaviyo's timestamp style: ISO 8601 with `+00:00`.
 *
 * @example
 * ```ts
 * klaviyoTime(0); // "1970-01-01T00:00:00.000+00:00"
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export function klaviyoTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

/**
 * The fake's data and the rules that change it.
 *
 * @example
 * ```ts
 * const state = new KlaviyoFakeState(Date.now, "AbC123");
 * state.addProfile({ email: "ada@example.com" });
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export class KlaviyoFakeState {
  readonly profiles = new Map<string, FakeProfile>();
  readonly lists = new Map<string, FakeList>();
  readonly metrics = new Map<string, string>();
  readonly events: FakeEvent[] = [];
  readonly webhooks = new Map<string, FakeWebhook>();
  #last = 0;

  constructor(
    readonly now: () => number,
    readonly accountId: string,
  ) {}

  /** A time strictly after every time handed out before. */
  tick(): string {
    this.#last = Math.max(this.now(), this.#last + 1);
    return klaviyoTime(this.#last);
  }

  profileId(): string {
    return `01${randomFrom(ULID_ALPHABET, 24)}`;
  }

  findBy(key: "email" | "phone_number" | "external_id", value: string): FakeProfile | undefined {
    const wanted = key === "email" ? value.toLowerCase() : value;
    for (const profile of this.profiles.values()) {
      const have = profile[key];
      if (have !== null && (key === "email" ? have.toLowerCase() : have) === wanted) return profile;
    }
    return undefined;
  }

  addProfile(attributes: Partial<FakeProfileAttributes>): FakeProfile {
    const time = this.tick();
    const profile: FakeProfile = {
      id: this.profileId(),
      email: null,
      phone_number: null,
      external_id: null,
      first_name: null,
      last_name: null,
      organization: null,
      locale: null,
      title: null,
      image: null,
      location: {},
      properties: {},
      created: time,
      updated: time,
      last_event_date: null,
      lists: new Set(),
      consent: { email: "NEVER_SUBSCRIBED", sms: "NEVER_SUBSCRIBED" },
    };
    this.applyAttributes(profile, attributes, time);
    this.profiles.set(profile.id, profile);
    return profile;
  }

  /**
   * Set attributes as profile import does: a given key replaces the value
   * (`null` clears it); `properties` and `location` merge key by key (a
   * `null` property is removed). Bumps `updated` only when something changed.
   */
  applyAttributes(
    profile: FakeProfile,
    attributes: Partial<FakeProfileAttributes>,
    time?: string,
  ): boolean {
    let changed = false;
    for (const key of PROFILE_ATTRIBUTE_KEYS) {
      if (!(key in attributes)) continue;
      const value = attributes[key];
      if (value === undefined) continue;
      if (key === "properties" || key === "location") {
        const target = profile[key];
        for (const [name, item] of Object.entries((value ?? {}) as Record<string, unknown>)) {
          if (item === null) {
            if (name in target) {
              delete target[name];
              changed = true;
            }
          } else if (JSON.stringify(target[name]) !== JSON.stringify(item)) {
            target[name] = structuredClone(item);
            changed = true;
          }
        }
        continue;
      }
      const next = key === "email" && typeof value === "string" ? value.trim() : value;
      if (profile[key] !== next) {
        (profile as unknown as Record<string, unknown>)[key] = next ?? null;
        changed = true;
      }
    }
    if (changed) profile.updated = time ?? this.tick();
    return changed;
  }

  addList(spec: {
    name: string;
    id?: string;
    opt_in_process?: FakeList["opt_in_process"];
  }): FakeList {
    const time = this.tick();
    const list: FakeList = {
      id: spec.id ?? randomFrom(LIST_ALPHABET, 6),
      name: spec.name,
      created: time,
      updated: time,
      opt_in_process: spec.opt_in_process ?? "single_opt_in",
    };
    this.lists.set(list.id, list);
    return list;
  }

  metricId(name: string): string {
    let id = this.metrics.get(name);
    if (id === undefined) {
      id = randomFrom(LIST_ALPHABET, 6);
      this.metrics.set(name, id);
    }
    return id;
  }

  /** Record an event; `undefined` when Klaviyo would drop it as a duplicate (same profile, metric and unique_id). */
  addEvent(
    spec: Omit<FakeEvent, "id" | "metricId" | "datetime" | "unique_id"> & {
      datetime?: string;
      unique_id?: string;
    },
  ): FakeEvent | undefined {
    const datetime = spec.datetime ?? this.tick();
    // Without unique_id Klaviyo uses the time to the second.
    const uniqueId = spec.unique_id ?? datetime.slice(0, 19);
    const duplicate = this.events.some(
      (e) => e.profileId === spec.profileId && e.metric === spec.metric && e.unique_id === uniqueId,
    );
    if (duplicate) return undefined;
    const event: FakeEvent = {
      ...spec,
      id: randomFrom(LIST_ALPHABET, 26),
      metricId: this.metricId(spec.metric),
      datetime,
      unique_id: uniqueId,
    };
    this.events.push(event);
    const profile = this.profiles.get(spec.profileId);
    if (profile !== undefined) profile.last_event_date = datetime;
    return event;
  }

  addWebhook(spec: Omit<FakeWebhook, "id" | "created_at" | "updated_at" | "enabled">): FakeWebhook {
    const time = this.tick();
    const hook: FakeWebhook = {
      ...spec,
      id: `01${randomFrom(ULID_ALPHABET, 24)}`,
      enabled: true,
      created_at: time,
      updated_at: time,
    };
    this.webhooks.set(hook.id, hook);
    return hook;
  }
}
