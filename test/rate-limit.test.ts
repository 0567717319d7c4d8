import assert from "node:assert/strict";
import { createLocalRateLimiter } from "../src/access/rate-limiter";
import { grpcFailure } from "./support/grpc-clients";
import { createMember, goodsOnSale } from "./support/sale";
import { startTestService, type TestService } from "./support/service";
import type { Backend } from "./support/databases";

describe("per-member rate limits", () => {
  it("when a member spends its burst, then it must wait for tokens at the configured rate", async () => {
    let now = 0;
    const limiter = createLocalRateLimiter({ ratePerSecond: 2, burst: 3 }, () => now);
    const takes = async (n: number) => Promise.all(Array.from({ length: n }, () => limiter.take("m")));
    assert.deepEqual(await takes(4), [true, true, true, false]);
    now = 499;
    assert.equal(await limiter.take("m"), false);
    now = 500;
    assert.equal(await limiter.take("m"), true);
    assert.equal(await limiter.take("other"), true, "another member has its own bucket");
  });

  for (const backend of ["sqlite", "mysql"] as Backend[]) {
    describe(`on the service (${backend === "mysql" ? "Redis buckets" : "in-process buckets"}, 1/s, burst 3)`, function () {
      this.timeout(30_000);
      let svc: TestService;
      before(async () => {
        svc = await startTestService(backend, { RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "3" });
        await createMember(svc.clients, `rl-a-${backend}`);
        await createMember(svc.clients, `rl-b-${backend}`);
      });
      after(async () => svc?.stop());

      it("when one member fires CreateOrder and AddStar faster than its limit, then the excess is RESOURCE_EXHAUSTED / RATE_LIMITED over gRPC and 429 over JSON, and other members are unaffected", async () => {
        // CreateOrder attempts are counted per member and goods by the stock gate; AddStar by the call guard.
        const a = `rl-a-${backend}`;
        const b = `rl-b-${backend}`;
        const goods = await goodsOnSale(svc.clients, { totalStock: 100, limitPerCustomer: 100 });
        const ok = [];
        for (let i = 0; i < 3; i++) ok.push(await svc.clients.order.createOrder({ customerCode: a, flashGoodsId: goods.flashGoodsId, requestId: `rl-${i}` }));
        assert.equal(ok.length, 3);
        const limited = await grpcFailure(svc.clients.order.createOrder({ customerCode: a, flashGoodsId: goods.flashGoodsId, requestId: "rl-3" }));
        assert.equal(limited.code, 8);
        assert.equal(limited.reason, "RATE_LIMITED");
        assert.equal(limited.businessCode, "11001003");
        const star = () => svc.postJson("/star/flashStarService/addStar", { flashGoodsId: goods.flashGoodsId, starSource: a, starTarget: b });
        for (let i = 0; i < 3; i++) assert.equal((await star()).status, 200);
        const http = await star();
        assert.equal(http.status, 429);
        assert.equal(http.json.details[0].reason, "RATE_LIMITED");
        const other = await svc.clients.order.createOrder({ customerCode: b, flashGoodsId: goods.flashGoodsId, requestId: "rl-b" });
        assert.equal(other.order!.customerCode, b);
        const reads = await svc.clients.order.queryOrders({ customerCode: a, pageNo: 1, pageSize: 10 });
        assert.equal(reads.total, 3, "reads are not rate limited, and the refused call left no order");
        await new Promise((r) => setTimeout(r, 1100));
        const later = await svc.clients.order.createOrder({ customerCode: a, flashGoodsId: goods.flashGoodsId, requestId: "rl-4" });
        assert.equal(later.order!.customerCode, a, "a token comes back after a second");
      });
    });
  }
});
