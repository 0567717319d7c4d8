import knexFactory, { type Knex } from "knex";
import { openDatabase } from "../../src/platform/db";

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
export type { Knex };
export { knexFactory };
