import assert from "node:assert/strict";
import { grpcFailure } from "./support/grpc-clients";
import { openChecker, type Checker } from "./support/invariants";
import { createMember, goodsOnSale } from "./support/sale";
import { startTestService, type TestService } from "./support/service";
import type { Backend } from "./support/databases";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of ["sqlite", "mysql"] as Backend[]) {
  describe(`order lifecycle, expiry and idempotency (${backend === "mysql" ? "MySQL + Redis" : "embedded default"})`, function () {
    this.timeout(60_000);
    let svc: TestService;
    let checker: Checker;

    before(async () => {
      svc = await startTestService(backend, { PAY_WINDOW_MS: "1000", EXPIRY_INTERVAL_MS: "100" });
      checker = openChecker(svc.databaseUrl);
      for (const m of ["lc-a", "lc-b", "lc-c"]) await createMember(svc.clients, m);
    });
    after(async () => {
      await checker?.close();
      await svc?.stop();
    });

    it("when an unpaid order passes its pay window, then it expires, its unit is bought by another member, and paying it fails with ORDER_STATE_CONFLICT", async () => {
      const goods = await goodsOnSale(svc.clients, { totalStock: 1 });
      const { order } = await svc.clients.order.createOrder({ customerCode: "lc-a", flashGoodsId: goods.flashGoodsId, requestId: "exp-1" });
      const sold = await grpcFailure(svc.clients.order.createOrder({ customerCode: "lc-b", flashGoodsId: goods.flashGoodsId, requestId: "exp-2" }));
      assert.equal(sold.reason, "SOLD_OUT");

      await sleep(1500);
      const { order: expired } = await svc.clients.order.queryOrder({ orderId: order!.orderId, customerCode: "lc-a" });
      assert.equal(expired!.status, 4, "EXPIRED");
      const { order: second } = await svc.clients.order.createOrder({ customerCode: "lc-b", flashGoodsId: goods.flashGoodsId, requestId: "exp-3" });
      assert.equal(second!.status, 1);

      const late = await grpcFailure(svc.clients.order.payOrder({ orderId: order!.orderId, paymentNo: "LATE" }));
      assert.equal(late.reason, "ORDER_STATE_CONFLICT");
      const s = await checker.stock(goods.flashGoodsId);
      assert.equal(s.sold, 1);
      assert.equal(s.liveUnits, 1);
    });

    it("when payment arrives after the deadline but before the expiry job, then it is refused and the unit still goes back to sale", async () => {
      const goods = await goodsOnSale(svc.clients, { totalStock: 1 });
      const { order } = await svc.clients.order.createOrder({ customerCode: "lc-c", flashGoodsId: goods.flashGoodsId, requestId: "late-1" });
      // Move the deadline into the past directly, then pay before the job can run.
      await checker.knex("orders").where({ order_id: order!.orderId }).update({ pay_deadline: Date.now() - 1 });
      const late = await grpcFailure(svc.clients.order.payOrder({ orderId: order!.orderId, paymentNo: "LATE-2" }));
      assert.equal(late.reason, "ORDER_STATE_CONFLICT");
      await sleep(500);
      const s = await checker.stock(goods.flashGoodsId);
      assert.equal(s.sold, 0);
    });

    it("when cancel and pay race on the same order twenty times, then each order ends exactly one way and stock matches the live orders", async () => {
      const goods = await goodsOnSale(svc.clients, { totalStock: 20, limitPerCustomer: 20 });
      const outcomes = { paid: 0, cancelled: 0 };
      for (let i = 0; i < 20; i++) {
        const { order } = await svc.clients.order.createOrder({ customerCode: "lc-a", flashGoodsId: goods.flashGoodsId, requestId: `race-${i}` });
        const [cancel, pay] = await Promise.allSettled([
          svc.clients.order.cancelOrder({ orderId: order!.orderId, customerCode: "lc-a" }),
          svc.clients.order.payOrder({ orderId: order!.orderId, paymentNo: `PAY-${i}` }),
        ]);
        assert.equal([cancel, pay].filter((r) => r.status === "fulfilled").length, 1, "exactly one of cancel and pay wins");
        const loser = cancel.status === "rejected" ? cancel : (pay as PromiseRejectedResult);
        assert.equal((await grpcFailure(Promise.reject(loser.reason))).reason, "ORDER_STATE_CONFLICT");
        const { order: final } = await svc.clients.order.queryOrder({ orderId: order!.orderId, customerCode: "lc-a" });
        if (final!.status === 2) outcomes.paid++;
        else if (final!.status === 3) outcomes.cancelled++;
        else assert.fail(`unexpected status ${final!.status}`);
      }
      const s = await checker.stock(goods.flashGoodsId);
      assert.equal(s.sold, outcomes.paid);
      assert.equal(s.liveUnits, outcomes.paid);
    });

    it("when the same requestId is sent 50 times at once, then one order is created and all 50 calls return it; reused with another payload or goods it is REQUEST_ID_CONFLICT", async () => {
      const goods = await goodsOnSale(svc.clients, { totalStock: 10 });
      const calls = Array.from({ length: 50 }, () =>
        svc.clients.order.createOrder({ customerCode: "lc-b", flashGoodsId: goods.flashGoodsId, requestId: "same-50" }),
      );
      const results = await Promise.all(calls);
      const ids = new Set(results.map((r) => r.order!.orderId));
      assert.equal(ids.size, 1);
      const s = await checker.stock(goods.flashGoodsId);
      assert.equal(s.orderIds.size, 1);
      assert.equal(s.sold, 1);
      const again = await svc.clients.order.createOrder({ customerCode: "lc-b", flashGoodsId: goods.flashGoodsId, requestId: "same-50" });
      assert.equal(again.order!.orderId, [...ids][0], "a later retry returns it too");
      const conflict = await grpcFailure(svc.clients.order.createOrder({ customerCode: "lc-b", flashGoodsId: goods.flashGoodsId, requestId: "same-50", quantity: 2 }));
      assert.equal(conflict.reason, "REQUEST_ID_CONFLICT");
      const other = await goodsOnSale(svc.clients, { totalStock: 10 });
      const elsewhere = await grpcFailure(svc.clients.order.createOrder({ customerCode: "lc-b", flashGoodsId: other.flashGoodsId, requestId: "same-50" }));
      assert.equal(elsewhere.reason, "REQUEST_ID_CONFLICT", "the same requestId on another goods is another payload");
      assert.equal((await checker.stock(other.flashGoodsId)).sold, 0, "and takes no unit there");
    });
  });
}
