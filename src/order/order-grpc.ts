import { FlashOrderServiceService, type FlashOrderServiceServer } from "../../gen/flashsale/order/v1/flash_order_service";
import { type Order as OrderMessage, OrderStatus } from "../../gen/flashsale/order/v1/order";
import { type ServiceBinding, unary } from "../platform/grpc-server";
import type { Logger } from "../platform/logger";
import type { makeCreateOrder } from "./create-order";
import type { Order } from "./order";
import type { makeOrderLifecycle } from "./order-lifecycle";

/** The wire enum of each status, looked up without building its name per call. */
const statusMessages: Record<Order["status"], OrderStatus> = {
  PENDING_PAYMENT: OrderStatus.ORDER_STATUS_PENDING_PAYMENT,
  PAID: OrderStatus.ORDER_STATUS_PAID,
  CANCELLED: OrderStatus.ORDER_STATUS_CANCELLED,
  EXPIRED: OrderStatus.ORDER_STATUS_EXPIRED,
};

const toOrderMessage = (o: Order): OrderMessage => ({
  orderId: o.orderId,
  customerCode: o.customerCode,
  flashGoodsId: o.flashGoodsId,
  periodId: o.periodId,
  quantity: o.quantity,
  unitPrice: o.unitPrice,
  totalAmount: o.totalAmount,
  status: statusMessages[o.status],
  createTime: o.createTime,
  payDeadline: o.payDeadline,
  payTime: o.payTime,
  paymentNo: o.paymentNo,
});

export function orderServiceBinding(
  createOrder: ReturnType<typeof makeCreateOrder>,
  lifecycle: ReturnType<typeof makeOrderLifecycle>,
  logger: Logger,
): ServiceBinding {
  const implementation: FlashOrderServiceServer = {
    // A plain .then, not an async arrow: every order attempt passes here.
    createOrder: unary(logger, "CreateOrder", (req, context) => createOrder(req, context.deadline).then((order) => ({ order: toOrderMessage(order) }))),
    queryOrder: unary(logger, "QueryOrder", async (req) => ({ order: toOrderMessage(await lifecycle.queryOrder(req)) })),
    queryOrders: unary(logger, "QueryOrders", async (req) => {
      const page = await lifecycle.queryOrders(req);
      return { orders: page.orders.map(toOrderMessage), total: page.total };
    }),
    cancelOrder: unary(logger, "CancelOrder", async (req) => ({ order: toOrderMessage(await lifecycle.cancelOrder(req)) })),
    payOrder: unary(logger, "PayOrder", async (req) => ({ order: toOrderMessage(await lifecycle.payOrder(req)) })),
  };
  return { definition: FlashOrderServiceService, implementation };
}
