import assert from "node:assert/strict";
import Redis from "ioredis";
import { openDatabase } from "../../src/platform/db";
import { createRedisStockGate } from "../../src/stock/redis-stock-gate";

/** Reads the database directly (not through the service) to check what was committed. */
export function openChecker(databaseUrl: string) {
  const { knex } = openDatabase(databaseUrl);
  return {
    knex,
    async stock(flashGoodsId: string) {
      const goods = await knex("flash_goods").where({ flash_goods_id: flashGoodsId }).first("total_stock", "sold_stock");
      const rows: { customer_code: string; quantity: number; status: string; order_id: string }[] = await knex("orders")
        .where({ flash_goods_id: flashGoodsId })
        .select("customer_code", "quantity", "status", "order_id");
      const live = rows.filter((r) => r.status === "PENDING_PAYMENT" || r.status === "PAID");
      const perCustomer = new Map<string, number>();
      for (const r of live) perCustomer.set(r.customer_code, (perCustomer.get(r.customer_code) ?? 0) + r.quantity);
      return {
        total: goods.total_stock as number,
        sold: goods.sold_stock as number,
        liveUnits: live.reduce((s, r) => s + r.quantity, 0),
        maxPerCustomer: Math.max(0, ...perCustomer.values()),
        orderIds: new Set(rows.map((r) => r.order_id)),
      };
    },
    close: () => knex.destroy(),
  };
}

export type Checker = ReturnType<typeof openChecker>;

/** Units the Redis gate holds as taken for a goods (undefined when not loaded), read through the gate itself. */
export async function gateTaken(redisUrl: string, flashGoodsId: string): Promise<number | undefined> {
  const redis = new Redis(redisUrl);
  try {
    const view = await createRedisStockGate(redis, { ratePerSecond: 0, burst: 0 }).inspect(flashGoodsId, Number.MAX_SAFE_INTEGER);
    return view?.taken;
  } finally {
    redis.disconnect();
  }
}

/** No oversell, the limit held, every acknowledged order (an order id the caller was given) is committed. */
export async function assertInvariants(checker: Checker, flashGoodsId: string, ackedOrderIds: string[], limit: number) {
  const s = await checker.stock(flashGoodsId);
  assert.ok(s.sold <= s.total, `oversold: ${s.sold} > ${s.total}`);
  assert.equal(s.sold, s.liveUnits, "sold_stock equals the units of live orders");
  assert.ok(s.maxPerCustomer <= limit, `a member holds ${s.maxPerCustomer} > ${limit}`);
  const lost = ackedOrderIds.filter((id) => !s.orderIds.has(id));
  assert.equal(lost.length, 0, `${lost.length} acknowledged orders are missing`);
  return s;
}
