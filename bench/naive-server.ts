import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { FlashOrderServiceService } from "../gen/flashsale/order/v1/flash_order_service";
import { OrderStatus } from "../gen/flashsale/order/v1/order";
import { openDatabase } from "../src/platform/db";
import { createNaiveOrderStore } from "./naive-order-store";

/**
 * The naive reference served over gRPC like the real service (same generated
 * service definition, same grpc-js server), so the benchmark compares designs,
 * not transports. Only CreateOrder is implemented.
 */
async function main() {
  const db = openDatabase(process.env.DATABASE_URL!);
  const placeOrder = createNaiveOrderStore(db.knex);
  const server = new grpc.Server();
  const unimplemented = (_: unknown, cb: grpc.sendUnaryData<unknown>) => cb({ code: grpc.status.UNIMPLEMENTED });
  server.addService(FlashOrderServiceService, {
    queryOrder: unimplemented, queryOrders: unimplemented, cancelOrder: unimplemented, payOrder: unimplemented,
    createOrder: (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) => {
      const r = call.request;
      placeOrder(r.customerCode, r.flashGoodsId, r.requestId, r.quantity ?? 1).then(
        (result) => {
          if ("error" in result) return cb({ code: grpc.status.FAILED_PRECONDITION, details: result.error });
          const o = result.order;
          cb(null, { order: {
            orderId: o.order_id, customerCode: o.customer_code, flashGoodsId: o.flash_goods_id, periodId: o.period_id, quantity: o.quantity,
            unitPrice: o.unit_price, totalAmount: o.total_amount, status: OrderStatus.ORDER_STATUS_PENDING_PAYMENT, createTime: o.create_time,
            payDeadline: o.pay_deadline, payTime: 0, paymentNo: "",
          } });
        },
        () => cb({ code: grpc.status.UNAVAILABLE, details: "database error" }),
      );
    },
  });
  new HealthImplementation({ "": "SERVING" }).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  process.stderr.write(JSON.stringify({ msg: "listening", grpcPort: port, httpPort: 0 }) + "\n");
  process.on("SIGTERM", () => server.tryShutdown(() => db.knex.destroy().then(() => process.exit(0))));
}

void main();
