import assert from "node:assert/strict";
import Redis from "ioredis";
import { createLocalStockGate } from "../src/stock/local-stock-gate";
import { createRedisStockGate } from "../src/stock/redis-stock-gate";
import type { AttemptRate, Reservation, StockGate } from "../src/stock/stock-gate";
import { testRedisUrl } from "./support/databases";

/**
 * The gate's contract, the same for the Redis gate (which sends the attempts
 * of one goods made in one event-loop turn as one script call) and the
 * in-process gate: attempts made together are decided one after the other in
 * the order they were made, exactly as if each had been alone.
 */
const gates: [string, (rate: AttemptRate, clock: () => number) => { gate: StockGate; close(): Promise<void> }][] = [
  ["in-process", (rate, clock) => ({ gate: createLocalStockGate(rate, clock), close: async () => undefined })],
  [
    "Redis",
    (rate, clock) => {
      const redis = new Redis(testRedisUrl);
      return {
        gate: createRedisStockGate(redis, rate, clock),
        async close() {
          // This suite's goods only (the test database is shared with other suites).
          const keys = await redis.keys(`fs:{gate-test-${process.pid}-*`);
          if (keys.length > 0) await redis.del(...keys);
          redis.disconnect();
        },
      };
    },
  ],
];

for (const [name, open] of gates) {
  describe(`the stock gate (${name})`, () => {
    let opened: { gate: StockGate; close(): Promise<void> } | undefined;
    afterEach(async () => opened?.close());

    let seq = 0;
    async function gateWith(totalStock: number, limitPerCustomer: number, rate: AttemptRate = { ratePerSecond: 0, burst: 0 }) {
      opened = open(rate, () => 1_000_000);
      const flashGoodsId = `gate-test-${process.pid}-${Date.now().toString(36)}-${seq++}`;
      await opened.gate.load({ flashGoodsId, totalStock, limitPerCustomer, soldStock: 0, perCustomer: new Map(), requestKeys: [] }, 60_000);
      const attempt = (customerCode: string, requestId: string, quantity = 1): Reservation => ({ flashGoodsId, customerCode, requestId, quantity });
      return { gate: opened.gate, flashGoodsId, attempt };
    }

    it("when attempts are made in one turn, then a repeated request, a member over the limit and the attempt past the last unit are told so, in the order made", async () => {
      const { gate, flashGoodsId, attempt } = await gateWith(3, 2);
      const verdicts = await Promise.all(
        [attempt("m1", "a"), attempt("m1", "a"), attempt("m1", "b"), attempt("m1", "c"), attempt("m2", "a", 2), attempt("m3", "a")].map((a) => gate.reserve(a)),
      );
      assert.deepEqual(verdicts, ["RESERVED", "DUPLICATE", "RESERVED", "LIMIT_EXCEEDED", "SOLD_OUT", "RESERVED"]);
      assert.equal((await gate.inspect(flashGoodsId, 60_000))?.taken, 3);
    });

    it("when an attempt is refused for the limit while units are left, then it holds nothing: the same request is new again once the member is under the limit", async () => {
      const { gate, flashGoodsId, attempt } = await gateWith(10, 2);
      assert.deepEqual(await Promise.all([attempt("m1", "a"), attempt("m1", "b"), attempt("m1", "c", 2)].map((a) => gate.reserve(a))), ["RESERVED", "RESERVED", "LIMIT_EXCEEDED"]);
      assert.deepEqual(await gate.inspect(flashGoodsId, 60_000), { total: 10, taken: 2, inFlight: 2, stranded: 0 });
      await gate.release(attempt("m1", "a"), true);
      await gate.release(attempt("m1", "b"), true);
      assert.equal(await gate.reserve(attempt("m1", "c", 2)), "RESERVED");
      assert.equal(await gate.reserve(attempt("m1", "d")), "LIMIT_EXCEEDED");
      assert.deepEqual(await gate.inspect(flashGoodsId, 60_000), { total: 10, taken: 2, inFlight: 2, stranded: 0 });
    });

    it("when a member's attempts in one turn exceed the burst, then the ones past it are rate limited and take nothing", async () => {
      const { gate, flashGoodsId, attempt } = await gateWith(100, 100, { ratePerSecond: 1, burst: 2 });
      const verdicts = await Promise.all(["a", "b", "c", "d"].map((r) => gate.reserve(attempt("m1", r))));
      assert.deepEqual(verdicts, ["RESERVED", "RESERVED", "RATE_LIMITED", "RATE_LIMITED"]);
      assert.equal(await gate.reserve(attempt("m2", "a")), "RESERVED");
      assert.equal((await gate.inspect(flashGoodsId, 60_000))?.taken, 3);
    });

    it("when reservations made in one turn are confirmed in one turn, then none is in flight and the units stay taken", async () => {
      const { gate, flashGoodsId, attempt } = await gateWith(10, 10);
      const attempts = ["a", "b", "c"].map((r) => attempt("m1", r));
      await Promise.all(attempts.map((a) => gate.reserve(a)));
      assert.equal((await gate.inspect(flashGoodsId, 60_000))?.inFlight, 3);
      await Promise.all(attempts.map((a) => gate.confirm(a)));
      assert.deepEqual(await gate.inspect(flashGoodsId, 60_000), { total: 10, taken: 3, inFlight: 0, stranded: 0 });
    });

    it("when orders committed without a reservation are recorded, then each request counts once, its member's units count toward the limit, and the units left come back", async () => {
      const { gate, flashGoodsId, attempt } = await gateWith(10, 2);
      assert.equal(await gate.record(attempt("m1", "a")), 9);
      assert.equal(await gate.record(attempt("m2", "a", 2)), 7);
      assert.equal(await gate.record(attempt("m2", "a", 2)), 7, "told twice, counted once");
      assert.deepEqual(await gate.inspect(flashGoodsId, 60_000), { total: 10, taken: 3, inFlight: 0, stranded: 0 });
      assert.equal(await gate.reserve(attempt("m1", "a")), "DUPLICATE");
      assert.equal(await gate.reserve(attempt("m2", "b")), "LIMIT_EXCEEDED");
      assert.equal(await gate.reserve(attempt("m1", "b")), "RESERVED");
    });

    it("when a goods was never loaded, then an order recorded there is left to the next load", async () => {
      opened = open({ ratePerSecond: 0, burst: 0 }, Date.now);
      const g = `never-loaded-${Date.now()}`;
      assert.equal(await opened.gate.record({ flashGoodsId: g, customerCode: "a", requestId: "x", quantity: 1 }), undefined);
      assert.equal(await opened.gate.inspect(g, 60_000), undefined);
    });

    it("when a goods was never loaded, then every attempt of the turn is NOT_LOADED", async () => {
      opened = open({ ratePerSecond: 0, burst: 0 }, Date.now);
      const r = (customerCode: string): Reservation => ({ flashGoodsId: `never-loaded-${Date.now()}`, customerCode, requestId: "x", quantity: 1 });
      assert.deepEqual(await Promise.all([opened.gate.reserve(r("a")), opened.gate.reserve(r("b"))]), ["NOT_LOADED", "NOT_LOADED"]);
    });
  });
}
