import { AppError } from "../platform/errors";
import { requireId, requirePage } from "../platform/validate";
import type { StockGate } from "../stock/stock-gate";
import type { Order, OrderRepository } from "./order";

interface Deps {
  orders: OrderRepository;
  gate: StockGate;
  clock?: () => number;
}

const notFound = () => new AppError("ORDER_NOT_FOUND", "订单不存在 (order not found)");
const stateConflict = (order: Order) =>
  new AppError("ORDER_STATE_CONFLICT", `订单状态不允许此操作 (the order is ${order.status.toLowerCase().replace("_", " ")})`);

/** Reading, cancelling and paying orders; every state change is decided by a guarded update. */
export function makeOrderLifecycle({ orders, gate, clock = Date.now }: Deps) {
  async function requireOwnOrder(orderId: string, customerCode: string): Promise<Order> {
    const order = await orders.findById(orderId);
    // Another member's order is "not found": ids are not secrets, but orders are.
    if (!order || order.customerCode !== customerCode) throw notFound();
    return order;
  }

  return {
    async queryOrder(input: { orderId: string; customerCode: string }): Promise<Order> {
      return requireOwnOrder(requireId("orderId", input.orderId), requireId("customerCode", input.customerCode));
    },

    async queryOrders(input: { customerCode: string; pageNo: number; pageSize: number }) {
      const customerCode = requireId("customerCode", input.customerCode);
      const page = requirePage(input.pageNo, input.pageSize);
      return orders.listByCustomer(customerCode, page.offset, page.pageSize);
    },

    /** Cancels an unpaid order; its units go back to sale. Cancelling twice is a no-op. */
    async cancelOrder(input: { orderId: string; customerCode: string }): Promise<Order> {
      const orderId = requireId("orderId", input.orderId);
      const customerCode = requireId("customerCode", input.customerCode);
      const order = await requireOwnOrder(orderId, customerCode);
      if (order.status === "CANCELLED") return order;
      if (order.status === "PENDING_PAYMENT" && (await orders.cancel(orderId, customerCode))) {
        await gate.release(order, false).catch(() => undefined); // reconciliation repairs a missed release
        return { ...order, status: "CANCELLED" };
      }
      const now = await requireOwnOrder(orderId, customerCode);
      if (now.status === "CANCELLED") return now;
      throw stateConflict(now);
    },

    /** Records a payment. Repeating it with the same paymentNo returns the paid order. */
    async payOrder(input: { orderId: string; paymentNo: string }): Promise<Order> {
      const orderId = requireId("orderId", input.orderId);
      const paymentNo = requireId("paymentNo", input.paymentNo);
      const order = await orders.findById(orderId);
      if (!order) throw notFound();
      const paidAlready = (o: Order) => o.status === "PAID" && o.paymentNo === paymentNo;
      if (paidAlready(order)) return order;
      const now = clock();
      if (order.status === "PENDING_PAYMENT" && (await orders.pay(orderId, paymentNo, now))) {
        return { ...order, status: "PAID", payTime: now, paymentNo };
      }
      const latest = (await orders.findById(orderId))!;
      if (paidAlready(latest)) return latest;
      throw stateConflict(latest);
    },
  };
}
