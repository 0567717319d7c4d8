import assert from "node:assert/strict";
import { migrateToLatest } from "../src/db/migrate";
import type { OrderDraft } from "../src/order/order";
import { createOrderRepository, memberOrdersRead } from "../src/order/order-repository";
import { createOrderWriter } from "../src/order/order-writer";
import { openDatabase, type Database } from "../src/platform/db";
import { newId } from "../src/platform/ids";
import { type Backend, freshDatabase } from "./support/databases";
import { openChecker } from "./support/invariants";

/**
 * The database is the guard: with no gate in front, two writers (two
 * connection pools, as two instances would have) hammer one goods and the
 * guarded batch commit still sells exactly the stock, holds the limit and
 * keeps one order per request.
 */
for (const backend of ["sqlite", "mysql"] as Backend[]) {
  describe(`group-commit order writer without a gate (${backend})`, function () {
    this.timeout(60_000);
    let fresh: { url: string; drop(): Promise<void> };
    let dbs: Database[] = [];

    before(async () => {
      fresh = await freshDatabase(backend);
      // MySQL: two pools, as two instances. The embedded SQLite default is one
      // process with one connection (a second synchronous connection would
      // block the thread on the first one's lock), so both writers share it.
      const first = openDatabase(fresh.url);
      dbs = backend === "mysql" ? [first, openDatabase(fresh.url)] : [first];
      await migrateToLatest(dbs[0].knex);
      await dbs[0].knex("periods").insert({ period_id: "p", title: "t", start_time: 0, end_time: Date.now() + 3_600_000 });
      const members = [...Array.from({ length: 100 }, (_, i) => `w-${i}`), "dup"];
      await dbs[0].knex("customers").insert(members.map((customer_id) => ({ customer_id, status: "EFC", updated_at: Date.now() })));
    });
    after(async () => {
      for (const d of dbs) await d.knex.destroy();
      await fresh.drop();
    });

    async function goods(total: number, limit: number) {
      const id = newId();
      await dbs[0].knex("flash_goods").insert({
        flash_goods_id: id, period_id: "p", goods_code: "g", name: "g", description: "", images: "[]", original_price: 2,
        flash_price: 1, total_stock: total, sold_stock: 0, limit_per_customer: limit, stars_required: 0, created_at: Date.now(),
      });
      return id;
    }

    const draft = (flashGoodsId: string, customerCode: string, requestId: string, quantity: number, limit: number): OrderDraft => ({
      orderId: newId(), customerCode, requestId, flashGoodsId, periodId: "p", quantity, unitPrice: 1, totalAmount: quantity,
      status: "PENDING_PAYMENT", createTime: Date.now(), payDeadline: Date.now() + 60_000, payTime: 0, paymentNo: "", limitPerCustomer: limit, starsRequired: 0,
    });

    it("when 600 drafts from 100 members (limit 2) race for 50 units through two writers, then exactly 50 units are committed and no member holds more than 2", async () => {
      const id = await goods(50, 2);
      const writers = [0, 1].map((i) => createOrderWriter(createOrderRepository(dbs[i % dbs.length]), { maxBatch: 50, maxWaitMs: 1, maxInFlight: 4 }));
      const drafts = Array.from({ length: 600 }, (_, i) => draft(id, `w-${i % 100}`, `r-${i}`, 1 + (i % 2), 2));
      const outcomes = await Promise.all(drafts.map((d, i) => writers[i % 2].submit(d)));
      const created = outcomes.filter((o) => o.kind === "CREATED");
      const checker = openChecker(fresh.url);
      try {
        const s = await checker.stock(id);
        assert.equal(s.sold, 50);
        assert.equal(s.liveUnits, 50);
        assert.ok(s.maxPerCustomer <= 2);
        assert.equal(created.reduce((sum, o) => sum + (o.kind === "CREATED" ? o.order.quantity : 0), 0), 50);
        assert.equal(s.orderIds.size, created.length);
      } finally {
        await checker.close();
      }
      assert.ok(writers[0].stats().maxBatch > 1, "orders were committed in batches");
    });

    it("when the same request reaches both writers at once, then exactly one order exists and both see it", async () => {
      const id = await goods(10, 5);
      const writers = [0, 1].map((i) => createOrderWriter(createOrderRepository(dbs[i % dbs.length]), { maxBatch: 10, maxWaitMs: 1, maxInFlight: 2 }));
      const results = await Promise.all([0, 1, 0, 1].map((w) => writers[w].submit(draft(id, "dup", "same", 1, 5))));
      const orderIds = new Set(results.map((r) => ("order" in r ? r.order.orderId : r.kind)));
      assert.equal(orderIds.size, 1, JSON.stringify(results));
      const checker = openChecker(fresh.url);
      try {
        assert.equal((await checker.stock(id)).sold, 1);
      } finally {
        await checker.close();
      }
    });

    it("when requests that already have their orders come again in a later batch beside new ones, then those answer EXISTING with the stored order, field for field, and only the new ones are written", async () => {
      const id = await goods(10, 5);
      const writer = createOrderWriter(createOrderRepository(dbs[0]), { maxBatch: 10, maxWaitMs: 1, maxInFlight: 1 });
      const first = await Promise.all([writer.submit(draft(id, "w-1", "again-1", 1, 5)), writer.submit(draft(id, "w-2", "again-2", 2, 5))]);
      const stored = first.map((o) => (o.kind === "CREATED" ? o.order : assert.fail(JSON.stringify(o))));
      // The batch's member read sees these requests; only they are read in full.
      const later = await Promise.all([
        writer.submit(draft(id, "w-1", "again-1", 1, 5)),
        writer.submit(draft(id, "w-3", "fresh-3", 1, 5)),
        writer.submit(draft(id, "w-2", "again-2", 2, 5)),
      ]);
      assert.deepEqual(later[0], { kind: "EXISTING", order: stored[0] });
      assert.deepEqual(later[2], { kind: "EXISTING", order: stored[1] });
      assert.equal(later[1].kind, "CREATED");
      const checker = openChecker(fresh.url);
      try {
        assert.equal((await checker.stock(id)).sold, 4);
      } finally {
        await checker.close();
      }
    });

    it("when members hold orders of several goods, then the batch's member read is index-only on the covering index and touches one goods' orders", async () => {
      // Enough orders that the optimizer weighs its choices as on a sale day:
      // 100 members with orders of three goods.
      const ids = [await goods(10_000, 100), await goods(10_000, 100), await goods(10_000, 100)];
      const writer = createOrderWriter(createOrderRepository(dbs[0]), { maxBatch: 500, maxWaitMs: 1, maxInFlight: 1 });
      await Promise.all(ids.flatMap((id, g) => Array.from({ length: 300 }, (_, i) => writer.submit(draft(id, `w-${i % 100}`, `plan-${g}-${i}`, 1, 100)))));
      const members = Array.from({ length: 40 }, (_, i) => `w-${i * 2}`);
      const read = memberOrdersRead(ids[1], members);
      const { knex } = dbs[0];
      if (backend === "mysql") {
        await knex.raw("analyze table orders, customers");
        const [plan] = (await knex.raw(`explain ${read.sql}`, read.bindings as string[])) as [{ table: string; key: string; Extra: string }[]];
        const orders = plan.find((row) => row.table === "o");
        assert.equal(orders?.key, "orders_goods_customer_cover_idx", JSON.stringify(plan));
        assert.match(orders.Extra, /Using index/, JSON.stringify(plan));
      } else {
        const plan = (await knex.raw(`explain query plan ${read.sql}`, read.bindings as string[])) as { detail: string }[];
        assert.ok(plan.some((row) => /USING COVERING INDEX orders_goods_customer_cover_idx/.test(row.detail)), JSON.stringify(plan));
      }
      const raw = await knex.raw(read.sql, read.bindings as string[]);
      // knex answers a raw MySQL query with [rows, fields], a SQLite one with the rows.
      const result = (backend === "mysql" ? raw[0] : raw) as { member: string; request_id: string }[];
      // Every member asked for, each with their three orders of that goods only.
      assert.equal(result.length, 40 * 3);
      assert.ok(result.every((r) => r.request_id.startsWith("plan-1-")));
    });
  });
}

describe("group-commit order writer, queue rules (a unit test with a fake repository)", () => {
  it("when a queued draft's deadline passes, then it is answered DEADLINE_PASSED without being written, and drain() still ends", async () => {
    const written: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const repo = {
      async commitBatch(drafts: OrderDraft[]) {
        await slow;
        written.push(...drafts.map((d) => d.requestId));
        return drafts.map((d) => ({ kind: "CREATED" as const, order: d }));
      },
    } as unknown as Parameters<typeof createOrderWriter>[0];
    const writer = createOrderWriter(repo, { maxBatch: 10, maxWaitMs: 0, maxInFlight: 1 });
    const d = (requestId: string) => ({ requestId, customerCode: "c", flashGoodsId: "g", quantity: 1 }) as OrderDraft;
    const first = writer.submit(d("in-flight"));
    const late = writer.submit(d("late"), Date.now() + 20);
    await new Promise((r) => setTimeout(r, 50));
    const drained = writer.drain(); // asked while a batch is in flight and the late draft still queued
    release();
    assert.equal((await first).kind, "CREATED");
    assert.equal((await late).kind, "DEADLINE_PASSED");
    const ended = await Promise.race([drained.then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))]);
    assert.equal(ended, true, "drain() ended");
    assert.deepEqual(written, ["in-flight"]);
  });
});
