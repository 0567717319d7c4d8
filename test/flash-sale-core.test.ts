import assert from "node:assert/strict";
import Redis from "ioredis";
import { runCrowd, randomAttempts, type AttemptResult } from "./support/crowd";
import { freshDatabase, testRedisUrl } from "./support/databases";
import { connectClients, grpcFailure, type Clients } from "./support/grpc-clients";
import { assertInvariants, gateTaken, openChecker, type Checker } from "./support/invariants";
import { spawnService, startOwnRedis, type RedisProcess, type ServiceProcess } from "./support/processes";
import { metricOf } from "./support/metrics";
import { goodsOnSale } from "./support/sale";

/** Members straight into the database: setup, not the thing under test. */
async function seedMembers(checker: Checker, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const rows = ids.map((customer_id) => ({ customer_id, status: "EFC", updated_at: Date.now() }));
  for (let i = 0; i < rows.length; i += 500) await checker.knex("customers").insert(rows.slice(i, i + 500));
  return ids;
}

/**
 * One attempt over the limit through each instance: the gate refuses it
 * without taking a unit, and each instance gets its first look at the units
 * left, so the crowd that follows starts in the phase that skips the gate
 * (without it, the crowd's first turn asks the gate while the look is on its way).
 */
async function firstLook(clients: Clients[], flashGoodsId: string, limit: number) {
  for (const c of clients) {
    const refused = await grpcFailure(c.order.createOrder({ customerCode: "look", flashGoodsId, quantity: limit + 1, requestId: "look" }));
    assert.equal(refused.reason, "LIMIT_EXCEEDED");
  }
}

/** Attempts an instance let through without asking the gate. */
const skippedBy = async (p: ServiceProcess) => (await metricOf(p.httpPort, "flashsale_gate_skipped_total"))!;

const won = (results: AttemptResult[]) => results.filter((r) => r.orderId);
const ackedIds = (results: AttemptResult[]) => won(results).map((r) => r.orderId!);

describe("the flash-sale core on MySQL + Redis, across processes", function () {
  this.timeout(180_000);
  let db: { url: string; drop(): Promise<void> };
  let checker: Checker;
  const procs: ServiceProcess[] = [];
  const clientsOf: Clients[] = [];
  let ownRedis: RedisProcess | undefined;

  beforeEach(async () => {
    db = await freshDatabase("mysql");
  });
  afterEach(async () => {
    clientsOf.splice(0).forEach((c) => c.close());
    for (const p of procs.splice(0)) {
      p.kill("SIGKILL");
      await p.exited;
    }
    await checker?.close();
    await ownRedis?.stop();
    ownRedis = undefined;
    await db.drop();
  });

  async function start(env: Record<string, string>) {
    const p = await spawnService({ DATABASE_URL: db.url, ...env });
    procs.push(p);
    const c = connectClients(p.grpcAddress);
    clientsOf.push(c);
    return { p, c };
  }

  // Each case runs with every attempt through the gate, and again with the
  // gate skipped while more than 150 units are left (GATE_SKIP_ABOVE,
  // plentiful-gate.ts), so the kill and the flush land in the skipping phase.
  const variants: [string, Record<string, string>][] = [
    ["through the gate", { GATE_SKIP_ABOVE: "0" }],
    ["skipping the gate while more than 150 units are left", { GATE_SKIP_ABOVE: "150" }],
  ];
  for (const [how, skip] of variants) {
    it(`${how}: when two instances take 5,000 attempts from 1,000 members for 300 units (limit 2), then exactly 300 units are committed, no member holds more than 2, every OK order is queryable and gate == database`, async () => {
      const a = await start({ REDIS_URL: testRedisUrl, ...skip });
      const b = await start({ REDIS_URL: testRedisUrl, ...skip });
      checker = openChecker(db.url);
      const goods = await goodsOnSale(a.c, { totalStock: 300, limitPerCustomer: 2 });
      const members = await seedMembers(checker, "two", 1000);
      const attempts = randomAttempts(goods.flashGoodsId, members, 5000, () => (Math.random() < 0.3 ? 2 : 1), "two");
      await firstLook([a.c, b.c], goods.flashGoodsId, 2);
      const results = await runCrowd([a.c, b.c], attempts, 200);

      const s = await assertInvariants(checker, goods.flashGoodsId, ackedIds(results), 2);
      assert.equal(s.sold, 300, "every unit sold");
      assert.equal(won(results).reduce((sum, r) => sum + r.quantity!, 0), 300);
      const unexpected = results.filter((r) => !r.orderId && !["SOLD_OUT", "LIMIT_EXCEEDED"].includes(r.reason!));
      assert.deepEqual(unexpected.map((r) => r.reason), []);
      for (const r of won(results).slice(0, 50)) {
        const { order } = await b.c.order.queryOrder({ orderId: r.orderId!, customerCode: r.attempt.customerCode });
        assert.equal(order!.orderId, r.orderId);
      }
      assert.equal(await gateTaken(testRedisUrl, goods.flashGoodsId), s.sold, "gate == database");
      const skipped = (await skippedBy(a.p)) + (await skippedBy(b.p));
      if (skip.GATE_SKIP_ABOVE === "0") assert.equal(skipped, 0);
      else assert.ok(skipped >= 100, `the crowd's first 150 units were attempted without the gate (${skipped} attempts skipped it)`);
    });

    it(`${how}: when one instance is killed with SIGKILL mid-burst and restarted, then every order acknowledged before the kill exists, nothing is oversold, and after reconciliation gate == database`, async () => {
      const env = { REDIS_URL: testRedisUrl, RECONCILE_INTERVAL_MS: "500", RESERVATION_STALE_MS: "2000", ...skip };
      const a = await start(env);
      const b = await start(env);
      checker = openChecker(db.url);
      const goods = await goodsOnSale(a.c, { totalStock: 400, limitPerCustomer: 2 });
      const members = await seedMembers(checker, "kill", 1000);
      const attempts = randomAttempts(goods.flashGoodsId, members, 4000, () => 1, "kill");
      let acked = 0;
      let killed = false;
      await firstLook([a.c, b.c], goods.flashGoodsId, 2);
      const results = await runCrowd([a.c, b.c], attempts, 200, (r) => {
        if (r.orderId && ++acked === 100 && !killed) {
          killed = true;
          b.p.kill("SIGKILL");
        }
      });
      assert.ok(killed, "the instance was killed mid-burst");
      const failedOnKilled = results.filter((r) => r.code === 14 || r.code === 1).length;
      assert.ok(failedOnKilled > 0, "calls to the killed instance failed");

      const restarted = await start(env);
      const more = await runCrowd([a.c, restarted.c], randomAttempts(goods.flashGoodsId, members, 1000, () => 1, "after"), 100);
      const all = [...results, ...more];
      await new Promise((r) => setTimeout(r, 3000)); // stranded reservations go stale, reconciliation runs
      const s = await assertInvariants(checker, goods.flashGoodsId, ackedIds(all), 2);
      assert.equal(s.sold + (s.total - s.sold), s.total);
      assert.equal(await gateTaken(testRedisUrl, goods.flashGoodsId), s.sold, "after reconciliation the gate holds exactly what the database sold");
      if (skip.GATE_SKIP_ABOVE !== "0") assert.ok((await skippedBy(a.p)) > 0, "the surviving instance skipped the gate");
    });

    it(`${how}: when Redis is flushed in the middle of a sale, then the gate rebuilds from the database, the sale continues to the last unit, and nothing is oversold`, async () => {
      ownRedis = await startOwnRedis();
      const a = await start({ REDIS_URL: ownRedis.url, RECONCILE_INTERVAL_MS: "500", ...skip });
      checker = openChecker(db.url);
      const goods = await goodsOnSale(a.c, { totalStock: 300, limitPerCustomer: 1 });
      const members = await seedMembers(checker, "flush", 2000);
      let acked = 0;
      const flusher = new Redis(ownRedis.url);
      await firstLook([a.c], goods.flashGoodsId, 1);
      const results = await runCrowd([a.c], randomAttempts(goods.flashGoodsId, members, 3000, () => 1, "flush"), 100, (r) => {
        if (r.orderId && ++acked === 120) void flusher.flushall();
      });
      flusher.disconnect();
      const s = await assertInvariants(checker, goods.flashGoodsId, ackedIds(results), 1);
      assert.ok(acked > 120, "orders were taken after the flush");
      assert.equal(s.sold, 300, "the sale went on to the last unit");
      assert.deepEqual(new Set(results.map((r) => r.reason ?? "OK")), new Set(["OK", "SOLD_OUT", "LIMIT_EXCEEDED"]), "no attempt failed for the flush");
      // Orders in flight during the flush committed after the rebuild read the
      // database, so the gate undercounts (it can only over-admit, and the
      // database turns the excess away) until reconciliation catches up.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await gateTaken(ownRedis.url, goods.flashGoodsId), 300, "reconciled: gate == database");
      if (skip.GATE_SKIP_ABOVE !== "0") assert.ok((await skippedBy(a.p)) > 120, "the flush came while attempts skipped the gate");
    });
  }
});
