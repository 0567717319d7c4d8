import type Redis from "ioredis";
import { AppError } from "../platform/errors";
import type { AttemptRate } from "../stock/stock-gate";

/** The contract's answer to a member over its rate, wherever the limit is counted. */
export function rateLimited(): AppError {
  return new AppError("RATE_LIMITED", "操作太频繁，请稍后再试 (too many requests, slow down)");
}

/**
 * Per-member token buckets for calls bots hammer (AddStar here; CreateOrder's
 * attempts are counted by the stock gate in the same step as the reservation):
 * `ratePerSecond` tokens a second, up to `burst`. On Redis the bucket is one
 * Lua script (shared by every instance; its key is the member's, so it lives
 * in the member's own Cluster slot); in the embedded default it is in memory.
 */
export interface RateLimiter {
  /** True when the member may make one more call now. */
  take(member: string): Promise<boolean>;
}

/** A token bucket's shape: the same one the stock gate counts order attempts with. */
export type RateLimit = AttemptRate;

// KEYS[1] bucket; ARGV: rate per ms, burst, now ms. Returns 1 = allowed.
const takeScript = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 't', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return allowed
`;

export function createRedisRateLimiter(redis: Redis, limit: RateLimit, clock: () => number = Date.now): RateLimiter {
  const r = redis as Redis & { rateTake(key: string, ...args: (string | number)[]): Promise<number> };
  r.defineCommand("rateTake", { numberOfKeys: 1, lua: takeScript });
  return {
    async take(member) {
      try {
        return (await r.rateTake(`rl:{${member}}`, limit.ratePerSecond / 1000, limit.burst, clock())) === 1;
      } catch {
        // Fail open: a rate limit is an early guard; the order path fails on
        // its own when Redis is away, and light-ups should not.
        return true;
      }
    },
  };
}

/**
 * The in-memory buckets themselves, answered at once: for callers in this
 * process that need no promise (the stock gates count order attempts with
 * them in the same step as their own state).
 */
export function createTokenBuckets(limit: RateLimit, clock: () => number = Date.now): { take(member: string): boolean } {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(member) {
      const now = clock();
      const b = buckets.get(member) ?? { tokens: limit.burst, at: now };
      b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) * limit.ratePerSecond) / 1000);
      b.at = now;
      const allowed = b.tokens >= 1;
      if (allowed) b.tokens -= 1;
      buckets.delete(member);
      buckets.set(member, b); // most recent last, so the oldest go first below
      if (buckets.size > 100_000) buckets.delete(buckets.keys().next().value!);
      return allowed;
    },
  };
}

export function createLocalRateLimiter(limit: RateLimit, clock: () => number = Date.now): RateLimiter {
  const buckets = createTokenBuckets(limit, clock);
  return { take: async (member) => buckets.take(member) };
}
