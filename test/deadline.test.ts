import assert from "node:assert/strict";
import { grpcFailure } from "./support/grpc-clients";
import { openChecker } from "./support/invariants";
import { createMember, goodsOnSale } from "./support/sale";
import { startTestService } from "./support/service";
import type { Backend } from "./support/databases";

for (const backend of ["sqlite", "mysql"] as Backend[]) {
  describe(`deadlines on the order path (${backend})`, function () {
    this.timeout(30_000);

    it("when a CreateOrder's deadline passes while it waits for its batch, then no order is written and its unit goes back on sale at once", async () => {
      // Batches wait 300 ms for company, so a 100 ms deadline passes in the queue.
      const svc = await startTestService(backend, { ORDER_BATCH_WAIT_MS: "300" });
      const checker = openChecker(svc.databaseUrl);
      try {
        await createMember(svc.clients, "dl-a");
        await createMember(svc.clients, "dl-b");
        const goods = await goodsOnSale(svc.clients, { totalStock: 1 });
        const late = await grpcFailure(
          svc.clients.order.createOrder({ customerCode: "dl-a", flashGoodsId: goods.flashGoodsId, requestId: "dl-1" }, undefined, { deadline: Date.now() + 100 }),
        );
        assert.equal(late.code, 4, "the caller saw DEADLINE_EXCEEDED");
        await new Promise((r) => setTimeout(r, 500));
        const s = await checker.stock(goods.flashGoodsId);
        assert.equal(s.orderIds.size, 0, "no order was written for a caller who had gone");
        assert.equal(s.sold, 0);
        const { order } = await svc.clients.order.createOrder({ customerCode: "dl-b", flashGoodsId: goods.flashGoodsId, requestId: "dl-2" });
        assert.equal(order!.customerCode, "dl-b", "the only unit was not stranded by the dropped attempt");
        const retry = await svc.clients.order.createOrder({ customerCode: "dl-a", flashGoodsId: goods.flashGoodsId, requestId: "dl-1" }).catch((e) => e);
        assert.equal(retry.code, 9, "a retry of the dropped request is decided afresh (sold out now), not stuck as a duplicate");
      } finally {
        await checker.close();
        await svc.stop();
      }
    });
  });
}
