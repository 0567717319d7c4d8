import type { StockGate } from "../stock/stock-gate";
import type { OrderRepository } from "./order";

/**
 * Expires unpaid orders past their deadline and returns their units to sale,
 * in the database and then the gate. Safe on N instances: each order's status
 * guard lets one instance expire it.
 */
export function makeExpireOrders({ orders, gate, clock = Date.now }: { orders: OrderRepository; gate: StockGate; clock?: () => number }) {
  return async function releaseExpiredOrders(batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await orders.expireDue(clock(), batch);
      for (const order of expired) await gate.release(order, false).catch(() => undefined);
      total += expired.length;
      if (expired.length < batch) return total;
    }
  };
}
