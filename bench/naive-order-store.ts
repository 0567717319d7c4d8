import type { Knex } from "knex";
import { newId } from "../src/platform/ids";

/**
 * The classic design, kept only as the benchmark's reference: one transaction
 * per order, `SELECT … FOR UPDATE` on the goods row, check in application
 * code, then UPDATE and INSERT. Correct, and every order queues on one row lock.
 */
export function createNaiveOrderStore(knex: Knex) {
  return async function placeOrder(customerCode: string, flashGoodsId: string, requestId: string, quantity: number, payWindowMs = 900_000) {
    return knex.transaction(async (trx) => {
      const goods = await trx("flash_goods").where({ flash_goods_id: flashGoodsId }).forUpdate().first();
      if (!goods) return { error: "GOODS_NOT_FOUND" as const };
      if (goods.sold_stock + quantity > goods.total_stock) return { error: "SOLD_OUT" as const };
      const [{ held }] = await trx("orders")
        .where({ flash_goods_id: flashGoodsId, customer_code: customerCode })
        .whereIn("status", ["PENDING_PAYMENT", "PAID"])
        .sum({ held: "quantity" });
      if (Number(held ?? 0) + quantity > goods.limit_per_customer) return { error: "LIMIT_EXCEEDED" as const };
      await trx("flash_goods").where({ flash_goods_id: flashGoodsId }).update({ sold_stock: goods.sold_stock + quantity });
      const now = Date.now();
      const order = {
        order_id: newId(now), customer_code: customerCode, request_id: requestId, flash_goods_id: flashGoodsId,
        period_id: goods.period_id, quantity, unit_price: goods.flash_price, total_amount: goods.flash_price * quantity,
        status: "PENDING_PAYMENT", create_time: now, pay_deadline: now + payWindowMs, pay_time: 0, payment_no: "",
      };
      await trx("orders").insert(order);
      return { order };
    });
  };
}
