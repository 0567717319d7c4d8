import assert from "node:assert/strict";
import Redis from "ioredis";
import { createLocalStockGate } from "../src/stock/local-stock-gate";
import { skipGateWhilePlentiful } from "../src/stock/plentiful-gate";
import { createRedisStockGate } from "../src/stock/redis-stock-gate";
import type { AttemptRate, Reservation, StockGate } from "../src/stock/stock-gate";
import { testRedisUrl } from "./support/databases";

/**
 * The gate skipped while units are plentiful, over both real gates: what it
 * lets through never touches the gate until its order is confirmed (then it
 * is counted once), and it hands attempts back to the gate near the margin,
 * when its last look is old, or when the gate no longer knows the goods.
 */
const inners: [string, (rate: AttemptRate) => { gate: StockGate; close(): Promise<void> }][] = [
  ["in-process", (rate) => ({ gate: createLocalStockGate(rate), close: async () => undefined })],
  [
    "Redis",
    (rate) => {
      const redis = new Redis(testRedisUrl);
      return {
        gate: createRedisStockGate(redis, rate),
        async close() {
          const keys = await redis.keys(`fs:{plenty-test-${process.pid}-*`);
          if (keys.length > 0) await redis.del(...keys);
          redis.disconnect();
        },
      };
    },
  ],
];

const noRate: AttemptRate = { ratePerSecond: 0, burst: 0 };
const settle = () => new Promise((r) => setTimeout(r, 20));

for (const [name, open] of inners) {
  describe(`the gate skipped while units are plentiful (over the ${name} gate)`, () => {
    let opened: { gate: StockGate; close(): Promise<void> } | undefined;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });

    let seq = 0;
    async function plenty(totalStock: number, margin: number, options: { rate?: AttemptRate; wrap?: (inner: StockGate) => StockGate; lookMs?: number } = {}) {
      opened = open(options.rate ?? noRate);
      const inner = options.wrap ? options.wrap(opened.gate) : opened.gate;
      const flashGoodsId = `plenty-test-${process.pid}-${Date.now().toString(36)}-${seq++}`;
      await inner.load({ flashGoodsId, totalStock, limitPerCustomer: 5, soldStock: 0, perCustomer: new Map(), requestKeys: [] }, 60_000);
      let skipped = 0;
      const gate = skipGateWhilePlentiful(inner, { margin, attemptRate: options.rate ?? noRate, lookMs: options.lookMs, onSkip: () => skipped++ });
      const attempt = (customerCode: string, requestId: string, quantity = 1): Reservation => ({ flashGoodsId, customerCode, requestId, quantity });
      const view = () => inner.inspect(flashGoodsId, 60_000);
      /** The first attempt goes through the gate (here: over the limit, so it takes nothing) and starts the first look; waits for it. */
      async function firstLook() {
        assert.equal(await gate.reserve(attempt("first", "x", 6)), "LIMIT_EXCEEDED");
        await settle();
      }
      return { gate, attempt, view, firstLook, skipped: () => skipped };
    }

    it("when units are plentiful, then attempts are let through without the gate; a confirmed one is counted once, a released one leaves nothing", async () => {
      const { gate, attempt, view, firstLook, skipped } = await plenty(10_000, 100);
      await firstLook();
      assert.equal(skipped(), 0, "with nothing known yet, the first attempt asks the gate");
      const won = attempt("m1", "a", 2);
      const lost = attempt("m2", "a");
      assert.deepEqual(await Promise.all([gate.reserve(won), gate.reserve(lost)]), ["RESERVED", "RESERVED"]);
      assert.equal(skipped(), 2);
      assert.deepEqual(await view(), { total: 10_000, taken: 0, inFlight: 0, stranded: 0 }, "the gate has not heard of them");
      await gate.confirm(won);
      await gate.release(lost, true);
      assert.deepEqual(await view(), { total: 10_000, taken: 2, inFlight: 0, stranded: 0 });
      assert.equal(await gate.reserve(attempt("m2", "a")), "RESERVED", "the released request is new again");
    });

    it("when a skipped attempt would leave the margin or less, then it goes through the gate, counting the attempts let through and not yet confirmed", async () => {
      const { gate, attempt, view, firstLook, skipped } = await plenty(105, 100);
      await firstLook(); // 105 left
      const attempts = ["a", "b", "c", "d", "e", "f"].map((r) => attempt(`m-${r}`, r));
      assert.deepEqual(await Promise.all(attempts.map((a) => gate.reserve(a))), ["RESERVED", "RESERVED", "RESERVED", "RESERVED", "RESERVED", "RESERVED"]);
      assert.equal(skipped(), 5, "the fifth leaves 100; the sixth would leave 99");
      assert.equal((await view())?.inFlight, 1, "the fifth was reserved in the gate");
    });

    it("when a member attempts faster than the rate while attempts are let through, then the excess is rate limited in this process and holds nothing", async () => {
      const { gate, attempt, firstLook, skipped } = await plenty(10_000, 100, { rate: { ratePerSecond: 1, burst: 2 } });
      await firstLook();
      const verdicts = await Promise.all(["a", "b", "c"].map((r) => gate.reserve(attempt("bot", r))));
      assert.deepEqual(verdicts, ["RESERVED", "RESERVED", "RATE_LIMITED"]);
      assert.equal(skipped(), 2);
      assert.equal(await gate.reserve(attempt("other", "a")), "RESERVED");
    });

    it("when the gate no longer knows the goods when an order is counted, then the next attempt asks the gate", async () => {
      let forgotten = false;
      const { gate, attempt, view, firstLook, skipped } = await plenty(10_000, 100, {
        wrap: (inner) => ({ ...inner, record: (x) => (forgotten ? Promise.resolve(undefined) : inner.record(x)) }),
      });
      await firstLook();
      const a = attempt("m1", "a");
      assert.equal(await gate.reserve(a), "RESERVED");
      forgotten = true;
      await gate.confirm(a);
      assert.equal(skipped(), 1);
      assert.equal(await gate.reserve(attempt("m1", "b")), "RESERVED");
      assert.equal(skipped(), 1, "asked the gate");
      assert.equal((await view())?.inFlight, 1);
    });

    it("when the last look is older than lookMs, then the next attempt asks the gate", async () => {
      const old = await plenty(10_000, 100, { lookMs: 5 });
      await old.firstLook();
      await settle();
      assert.equal(await old.gate.reserve(old.attempt("m1", "a")), "RESERVED");
      assert.equal(old.skipped(), 0, "a look older than lookMs does not steer");
    });

    it("when the margin is 0, then the gate is not wrapped at all", () => {
      const inner = createLocalStockGate(noRate);
      assert.equal(skipGateWhilePlentiful(inner, { margin: 0, attemptRate: noRate }), inner);
    });
  });
}
