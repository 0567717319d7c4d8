import { FlashOrderServiceService, type FlashOrderServiceServer } from "../../gen/flashsale/order/v1/flash_order_service";
import { type Order as OrderMessage, OrderStatus } from "../../gen/flashsale/order/v1/order";
import { type ServiceBinding, unary } from "../platform/grpc-server";
import type { Logger } from "../platform/logger";
import type { makeCreateOrder } from "./create-order";
import type { Order } from "./order";
import type { makeOrderLifecycle } from "./order-lifecycle";

const toOrderMessage = (o: Order): OrderMessage => ({
  orderId: o.orderId,
  customerCode: o.customerCode,
  flashGoodsId: o.flashGoodsId,
  periodId: o.periodId,
  quantity: o.quantity,
  unitPrice: o.unitPrice,
  totalAmount: o.totalAmount,
  status: OrderStatus[`ORDER_STATUS_${o.status}`],
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
    createOrder: unary(logger, "CreateOrder", async (req, context) => ({ order: toOrderMessage(await createOrder(req, context.deadline)) })),
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
