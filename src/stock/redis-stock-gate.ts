import { randomBytes } from "node:crypto";
import type Redis from "ioredis";
import { redisUnavailable } from "../platform/redis";
import { batchPerTick } from "../platform/tick-batch";
import { type AttemptRate, type GateSnapshot, type Reservation, type ReserveResult, type StockGate, requestKey } from "./stock-gate";

/**
 * The stock gate on Redis: one Lua script per attempt, atomic on the server.
 * Every key of a goods carries the hash tag {flashGoodsId}, so the scripts run
 * unchanged on Redis Cluster (all keys of one call live in one slot):
 *   fs:{g}:stock    hash  total, limit, taken (units sold or reserved)
 *   fs:{g}:cust     hash  customerCode → units held
 *   fs:{g}:req      set   "customerCode requestId" of orders and reservations
 *   fs:{g}:pending  hash  requestKey → "quantity|reservedAtMs|customerCode" (in flight)
 *   fs:{g}:rate     hash  customerCode → "tokens|atMs" (attempt token buckets)
 */

const keysOf = (g: string) => [`fs:{${g}}:stock`, `fs:{${g}}:cust`, `fs:{${g}}:req`, `fs:{${g}}:pending`];
const rateKeyOf = (g: string) => `fs:{${g}}:rate`;

// KEYS[5]: the goods' attempt buckets.
// ARGV: nowMs, ratePerMs (0 = off), burst, then per attempt: customerCode, requestKey, quantity.
// Decides the attempts one after the other, exactly as separate calls in that
// order would, and returns one verdict per attempt.
const reserveScript = `
local n = (#ARGV - 3) / 3
local verdicts = {}
local total = redis.call('HGET', KEYS[1], 'total')
if not total then
  for i = 1, n do verdicts[i] = 'NOT_LOADED' end
  return verdicts
end
total = tonumber(total)
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit'))
local taken = tonumber(redis.call('HGET', KEYS[1], 'taken'))
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local reserved = 0
for i = 1, n do
  local customer, key, q = ARGV[3 * i + 1], ARGV[3 * i + 2], tonumber(ARGV[3 * i + 3])
  local verdict = nil
  if rate > 0 then
    local tokens = burst
    local bucket = redis.call('HGET', KEYS[5], customer)
    if bucket then
      local bar = string.find(bucket, '|', 1, true)
      tokens = math.min(burst, tonumber(string.sub(bucket, 1, bar - 1)) + math.max(0, now - tonumber(string.sub(bucket, bar + 1))) * rate)
    end
    if tokens < 1 then
      verdict = 'RATE_LIMITED'
    else
      tokens = tokens - 1
    end
    redis.call('HSET', KEYS[5], customer, tokens .. '|' .. ARGV[1])
  end
  if not verdict then
    if taken + q <= total then
      -- Enough left: the likely outcome is a reservation, so claim first and
      -- undo on refusal (3 calls to reserve instead of 5). SADD answers the
      -- repeat check, HINCRBY the limit check.
      if redis.call('SADD', KEYS[3], key) == 0 then
        verdict = 'DUPLICATE'
      else
        local held = redis.call('HINCRBY', KEYS[2], customer, q)
        if held > limit then
          if held == q then redis.call('HDEL', KEYS[2], customer) else redis.call('HINCRBY', KEYS[2], customer, -q) end
          redis.call('SREM', KEYS[3], key)
          verdict = 'LIMIT_EXCEEDED'
        else
          taken = taken + q
          reserved = reserved + q
          redis.call('HSET', KEYS[4], key, q .. '|' .. ARGV[1] .. '|' .. customer)
          verdict = 'RESERVED'
        end
      end
    elseif redis.call('SISMEMBER', KEYS[3], key) == 1 then
      -- Sold out (the crowd's common case): look, change nothing.
      verdict = 'DUPLICATE'
    elseif tonumber(redis.call('HGET', KEYS[2], customer) or '0') + q > limit then
      verdict = 'LIMIT_EXCEEDED'
    else
      verdict = 'SOLD_OUT'
    end
  end
  verdicts[i] = verdict
end
if reserved > 0 then redis.call('HINCRBY', KEYS[1], 'taken', reserved) end
return verdicts
`;

// ARGV: customerCode, requestKey, quantity, forgetRequest ('1'|'0')
// A reservation is released once: when its pending entry is already gone
// (released before, or dropped as stranded by reconciliation) nothing moves.
const releaseScript = `
if not redis.call('HGET', KEYS[1], 'total') then return 0 end
local wasPending = redis.call('HDEL', KEYS[4], ARGV[2])
if ARGV[4] == '1' and wasPending == 0 then return 0 end
local q = tonumber(ARGV[3])
local taken = tonumber(redis.call('HGET', KEYS[1], 'taken'))
redis.call('HSET', KEYS[1], 'taken', math.max(0, taken - q))
local held = redis.call('HINCRBY', KEYS[2], ARGV[1], -q)
if held <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
if ARGV[4] == '1' then redis.call('SREM', KEYS[3], ARGV[2]) end
return 1
`;

// KEYS[5..6]: the staged cust hash and req set (same hash tag), filled from the database.
// ARGV: total, limit, sold, nowMs, staleAfterMs
// Swaps the staged state in, keeping reservations still in flight and dropping
// stranded ones (older than staleAfterMs) and those already committed.
const loadScript = `
local now = tonumber(ARGV[4])
local stale = tonumber(ARGV[5])
local taken = tonumber(ARGV[3])
local pending = redis.call('HGETALL', KEYS[4])
for i = 1, #pending, 2 do
  local key = pending[i]
  local q, at, customer = string.match(pending[i + 1], '^(%d+)|(%d+)|(.*)$')
  q = tonumber(q)
  if redis.call('SISMEMBER', KEYS[6], key) == 1 or now - tonumber(at) > stale then
    redis.call('HDEL', KEYS[4], key)
  else
    taken = taken + q
    redis.call('HINCRBY', KEYS[5], customer, q)
    redis.call('SADD', KEYS[6], key)
  end
end
if redis.call('EXISTS', KEYS[5]) == 1 then redis.call('RENAME', KEYS[5], KEYS[2]) else redis.call('DEL', KEYS[2]) end
if redis.call('EXISTS', KEYS[6]) == 1 then redis.call('RENAME', KEYS[6], KEYS[3]) else redis.call('DEL', KEYS[3]) end
redis.call('HSET', KEYS[1], 'total', ARGV[1], 'limit', ARGV[2], 'taken', taken)
return taken
`;

// ARGV: per order: customerCode, requestKey, quantity. Counts each order's
// units once (its request key, which a reservation or an earlier record of the
// same request already added, or a load from the database). Returns units left, or nil.
const recordScript = `
local total = redis.call('HGET', KEYS[1], 'total')
if not total then return nil end
local added = 0
for i = 1, #ARGV, 3 do
  if redis.call('SADD', KEYS[3], ARGV[i + 1]) == 1 then
    local q = tonumber(ARGV[i + 2])
    redis.call('HINCRBY', KEYS[2], ARGV[i], q)
    added = added + q
  end
end
return tonumber(total) - redis.call('HINCRBY', KEYS[1], 'taken', added)
`;

// ARGV: nowMs, staleAfterMs. Returns {total, taken, units in flight, stranded reservations} or nil.
const inspectScript = `
local state = redis.call('HMGET', KEYS[1], 'total', 'taken')
if not state[1] then return nil end
local now = tonumber(ARGV[1])
local stale = tonumber(ARGV[2])
local inFlight, stranded = 0, 0
local pending = redis.call('HVALS', KEYS[4])
for i = 1, #pending do
  local q, at = string.match(pending[i], '^(%d+)|(%d+)|')
  if now - tonumber(at) > stale then stranded = stranded + 1 else inFlight = inFlight + tonumber(q) end
end
return {tonumber(state[1]), tonumber(state[2]), inFlight, stranded}
`;

type GateRedis = Redis & {
  gateInspect(...args: (string | number)[]): Promise<[number, number, number, number] | null>;
  gateRecord(...args: (string | number)[]): Promise<number | null>;
  gateReserve(...args: (string | number)[]): Promise<string[]>;
  gateRelease(...args: (string | number)[]): Promise<number>;
  gateLoad(...args: (string | number)[]): Promise<number>;
};

const stageChunk = 1000;

export function createRedisStockGate(redis: Redis, attemptRate: AttemptRate, clock: () => number = Date.now): StockGate {
  const r = redis as GateRedis;
  r.defineCommand("gateReserve", { numberOfKeys: 5, lua: reserveScript });
  r.defineCommand("gateRelease", { numberOfKeys: 4, lua: releaseScript });
  r.defineCommand("gateLoad", { numberOfKeys: 6, lua: loadScript });
  r.defineCommand("gateInspect", { numberOfKeys: 4, lua: inspectScript });
  r.defineCommand("gateRecord", { numberOfKeys: 4, lua: recordScript });
  // Staging keys are per instance, so two instances reconciling at once never mix.
  const instance = randomBytes(6).toString("hex");

  /** Any Redis failure of `work` as SERVICE_UNAVAILABLE (work is async: it rejects, never throws). */
  function guarded<T>(work: () => Promise<T>): Promise<T> {
    return work().catch(() => {
      throw redisUnavailable();
    });
  }

  const keyOf = (x: Reservation) => requestKey(x.customerCode, x.requestId);
  const ratePerMs = attemptRate.ratePerSecond / 1000;

  // Attempts and confirmations of one goods made in the same turn of the event
  // loop go to Redis as one script call / one HDEL: under a crowd that is one
  // command for dozens of attempts instead of one each (measured in the bench).
  // A Redis failure is mapped once per batch, here, not once per attempt.
  /** The scripts' per-order arguments (customerCode, requestKey, quantity), after `head`. */
  const withOrders = (head: (string | number)[], xs: Reservation[]) => {
    for (const x of xs) head.push(x.customerCode, keyOf(x), x.quantity);
    return head;
  };
  const reserveBatch = batchPerTick<Reservation, ReserveResult>(async (flashGoodsId, xs) => {
    const args = withOrders([clock(), ratePerMs, attemptRate.burst], xs);
    return guarded(() => r.gateReserve(...keysOf(flashGoodsId), rateKeyOf(flashGoodsId), ...args) as Promise<ReserveResult[]>);
  });
  const recordBatch = batchPerTick<Reservation, number | undefined>(async (flashGoodsId, xs) => {
    const args = withOrders([], xs);
    const left = await guarded(() => r.gateRecord(...keysOf(flashGoodsId), ...args));
    return xs.map(() => left ?? undefined);
  });
  const confirmBatch = batchPerTick<string, void>(async (flashGoodsId, requestKeys) => guarded(() => r.hdel(keysOf(flashGoodsId)[3], ...requestKeys).then(() => [])));

  return {
    reserve: (x) => reserveBatch(x.flashGoodsId, x),

    confirm: (x) => confirmBatch(x.flashGoodsId, keyOf(x)),

    record: (x) => recordBatch(x.flashGoodsId, x),

    release: (x, forgetRequest) =>
      guarded(async () => void (await r.gateRelease(...keysOf(x.flashGoodsId), x.customerCode, keyOf(x), x.quantity, forgetRequest ? "1" : "0"))),

    load: (snapshot: GateSnapshot, staleAfterMs: number) =>
      guarded(async () => {
        const keys = keysOf(snapshot.flashGoodsId);
        const staged = [`${keys[1]}:stage:${instance}`, `${keys[2]}:stage:${instance}`];
        await r.del(...staged);
        const holders = [...snapshot.perCustomer].filter(([, q]) => q > 0);
        for (let i = 0; i < holders.length; i += stageChunk) {
          await r.hset(staged[0], Object.fromEntries(holders.slice(i, i + stageChunk)));
        }
        for (let i = 0; i < snapshot.requestKeys.length; i += stageChunk) {
          await r.sadd(staged[1], ...snapshot.requestKeys.slice(i, i + stageChunk));
        }
        await r.gateLoad(...keys, ...staged, snapshot.totalStock, snapshot.limitPerCustomer, snapshot.soldStock, clock(), staleAfterMs);
      }),

    inspect: (flashGoodsId, staleAfterMs) =>
      guarded(async () => {
        const view = await r.gateInspect(...keysOf(flashGoodsId), clock(), staleAfterMs);
        return view ? { total: view[0], taken: view[1], inFlight: view[2], stranded: view[3] } : undefined;
      }),

    async close() {
      // The Redis connection belongs to the composition root, which closes it.
    },
  };
}
