/**
 * A counting semaphore in Redis: at most `limit` syncs of one provider run at
 * once, across every worker process sharing the Redis.
 *
 * Each holder is a member of a sorted set scored by when its claim expires
 * (Redis server time, so process clocks do not matter). A holder renews its
 * claim while its sync runs and removes it when done; a holder that dies
 * simply stops renewing, and its slot frees itself once the claim expires.
 *
 * @module
 */
import type { Redis } from "ioredis";

/** Drop expired claims; take (or refresh) a slot if one is free. Returns 1 when held. */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ttl)
  return 1
end
return 0
`;

/** Extend a claim that is still held. Returns 1 when it was. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) > now then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
  return 1
end
return 0
`;

/** How many live claims there are. */
const COUNT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])
`;

/** A slot held by one sync: renewed in the background until released. */
export interface ProviderSlot {
  release(): Promise<void>;
}

/** The per-provider semaphores of one queue. */
export class ProviderSlots {
  readonly #redis: Redis;
  readonly #keyPrefix: string;
  readonly #ttlMs: number;
  readonly #onLost: (provider: string) => void;

  constructor(redis: Redis, keyPrefix: string, ttlMs: number, onLost: (provider: string) => void) {
    this.#redis = redis;
    this.#keyPrefix = keyPrefix;
    this.#ttlMs = ttlMs;
    this.#onLost = onLost;
  }

  #key(provider: string): string {
    return `${this.#keyPrefix}${encodeURIComponent(provider)}`;
  }

  /** Take one of `limit` slots for `holder`, or `null` when all are taken. */
  async acquire(provider: string, limit: number, holder: string): Promise<ProviderSlot | null> {
    const key = this.#key(provider);
    const held = await this.#redis.eval(ACQUIRE, 1, key, limit, holder, this.#ttlMs);
    if (held !== 1) return null;
    const timer = setInterval(
      () => {
        this.#redis.eval(RENEW, 1, key, holder, this.#ttlMs).then(
          (ok) => {
            if (ok !== 1) this.#onLost(provider);
          },
          () => this.#onLost(provider),
        );
      },
      Math.max(100, Math.floor(this.#ttlMs / 3)),
    );
    timer.unref?.();
    return {
      release: async () => {
        clearInterval(timer);
        await this.#redis.zrem(key, holder);
      },
    };
  }

  /** Slots in use right now, across every process. */
  async inUse(provider: string): Promise<number> {
    return Number(await this.#redis.eval(COUNT, 1, this.#key(provider)));
  }
}
