import { createOrderRepository } from "../src/order/order-repository";
import { createOrderWriter } from "../src/order/order-writer";
import type { OrderDraft } from "../src/order/order";
import { loadConfig } from "../src/platform/config";
import { openDatabase } from "../src/platform/db";
import { newId } from "../src/platform/ids";
import { createNaiveOrderStore } from "./naive-order-store";
import { insertGoods, insertMembers } from "./seed";

/**
 * The database layer alone, no RPC: N orders through the group-commit writer
 * versus N orders through the naive one-transaction-per-order store, on the
 * same database, each on its own goods row. Prints one JSON line.
 */
async function main() {
  const [url, countText, periodId] = process.argv.slice(2);
  const count = Number(countText);
  const db = openDatabase(url);
  const goods = () => insertGoods(db.knex, periodId, count * 10);
  await insertMembers(db.knex, Array.from({ length: 5000 }, (_, i) => [`wb-${i}`, `nb-${i}`]).flat());

  // Durable writer: as the service drives it, many callers waiting at once.
  const batched = await goods();
  // The service's own defaults (ORDER_BATCH_MAX, ORDER_BATCH_WAIT_MS), as it runs in production.
  const config = loadConfig({});
  const writer = createOrderWriter(createOrderRepository(db), { maxBatch: config.orderBatchMax, maxWaitMs: config.orderBatchWaitMs, maxInFlight: 4 });
  const draft = (i: number): OrderDraft => {
    const now = Date.now();
    return {
      orderId: newId(now), customerCode: `wb-${i % 5000}`, requestId: `wb-${i}`, flashGoodsId: batched, periodId, quantity: 1, unitPrice: 1,
      totalAmount: 1, status: "PENDING_PAYMENT", createTime: now, payDeadline: now + 900_000, payTime: 0, paymentNo: "", limitPerCustomer: 10_000, starsRequired: 0,
    };
  };
  let next = 0;
  let t0 = performance.now();
  await Promise.all(Array.from({ length: 2048 }, async () => {
    while (next < count) {
      const outcome = await writer.submit(draft(next++));
      if (outcome.kind !== "CREATED") throw new Error(`writer refused: ${JSON.stringify(outcome)}`);
    }
  }));
  const writerSeconds = (performance.now() - t0) / 1000;

  // Naive: one transaction per order, 64 at a time (the pool's size decides).
  const naiveGoods = await goods();
  const placeOrder = createNaiveOrderStore(db.knex);
  next = 0;
  t0 = performance.now();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < count) {
      const i = next++;
      const r = await placeOrder(`nb-${i % 5000}`, naiveGoods, `nb-${i}`, 1);
      if ("error" in r) throw new Error(r.error);
    }
  }));
  const naiveSeconds = (performance.now() - t0) / 1000;

  const sold = await db.knex("flash_goods").whereIn("flash_goods_id", [batched, naiveGoods]).select("flash_goods_id", "sold_stock");
  await db.knex.destroy();
  process.stdout.write(JSON.stringify({
    orders: count,
    writer_orders_per_s: count / writerSeconds,
    naive_writer_orders_per_s: count / naiveSeconds,
    writer_batches: writer.stats(),
    sold: Object.fromEntries(sold.map((r: { flash_goods_id: string; sold_stock: number }) => [r.flash_goods_id === batched ? "writer" : "naive", r.sold_stock])),
  }));
}

void main();
