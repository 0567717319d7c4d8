import assert from "node:assert/strict";
import { createTtlCache } from "../src/platform/ttl-cache";
import { goodsOnSale, createMember } from "./support/sale";
import { startTestService, type TestService } from "./support/service";

describe("read cache", () => {
  it("when the same key is read within the TTL, then one load serves every caller; after the TTL it loads again; a failed load is not kept", async () => {
    let now = 0;
    let loads = 0;
    const cached = createTtlCache<number>(250, 100, () => now);
    const load = async () => ++loads;
    assert.deepEqual(await Promise.all([cached("k", load), cached("k", load)]), [1, 1]);
    now = 249;
    assert.equal(await cached("k", load), 1);
    now = 250;
    assert.equal(await cached("k", load), 2);
    await assert.rejects(cached("bad", () => Promise.reject(new Error("down"))));
    assert.equal(await cached("bad", async () => 7), 7);
  });

  describe("on the service (embedded default, READ_CACHE_MS 300)", () => {
    let svc: TestService;
    before(async () => {
      svc = await startTestService("sqlite", { READ_CACHE_MS: "300" });
      await createMember(svc.clients, "rc-1");
    });
    after(async () => svc?.stop());

    it("when a goods is bought right after being read, then remainingStock shows the sale within the cache interval", async () => {
      const goods = await goodsOnSale(svc.clients, { totalStock: 5 });
      const before = await svc.clients.goods.queryGoodsDetail({ flashGoodsId: goods.flashGoodsId });
      assert.equal(before.goods!.remainingStock, 5);
      await svc.clients.order.createOrder({ customerCode: "rc-1", flashGoodsId: goods.flashGoodsId, requestId: "rc" });
      await new Promise((r) => setTimeout(r, 350));
      const after = await svc.clients.goods.queryGoodsDetail({ flashGoodsId: goods.flashGoodsId });
      assert.equal(after.goods!.remainingStock, 4);
    });
  });
});
