import assert from "node:assert/strict";
import { runCrowd, randomAttempts } from "./support/crowd";
import { freshDatabase, testRedisUrl } from "./support/databases";
import { connectClients } from "./support/grpc-clients";
import { openChecker } from "./support/invariants";
import { spawnService } from "./support/processes";
import { goodsOnSale } from "./support/sale";

describe("graceful shutdown (MySQL + Redis, a separate process)", function () {
  this.timeout(120_000);

  it("when SIGTERM arrives during a burst, then every call completes or fails UNAVAILABLE, the process exits 0, and nothing acknowledged is lost", async () => {
    const db = await freshDatabase("mysql");
    const proc = await spawnService({ DATABASE_URL: db.url, REDIS_URL: testRedisUrl });
    const clients = connectClients(proc.grpcAddress);
    const checker = openChecker(db.url);
    try {
      const goods = await goodsOnSale(clients, { totalStock: 2000, limitPerCustomer: 5 });
      const members = Array.from({ length: 500 }, (_, i) => `sd-${i}`);
      for (let i = 0; i < members.length; i += 250) {
        await checker.knex("customers").insert(members.slice(i, i + 250).map((customer_id) => ({ customer_id, status: "EFC", updated_at: Date.now() })));
      }
      let acked = 0;
      let signalled = false;
      const results = await runCrowd([clients], randomAttempts(goods.flashGoodsId, members, 3000, () => 1, "sd"), 100, (r) => {
        if (r.orderId && ++acked === 200 && !signalled) {
          signalled = true;
          proc.kill("SIGTERM");
        }
      });
      assert.ok(signalled);
      const exitCode = await proc.exited;
      assert.equal(exitCode, 0, proc.log().slice(-2000));

      const outcomes = new Map<string, number>();
      for (const r of results) {
        const key = r.orderId ? "OK" : `${r.code} ${r.reason ?? ""}`.trim();
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
      for (const key of outcomes.keys()) {
        assert.ok(["OK", "9 LIMIT_EXCEEDED", "9 SOLD_OUT", "14", "14 SERVICE_UNAVAILABLE"].includes(key), `unexpected outcome ${key}: ${JSON.stringify([...outcomes])}`);
      }
      assert.ok((outcomes.get("14") ?? 0) + (outcomes.get("14 SERVICE_UNAVAILABLE") ?? 0) > 0, "calls after the signal were refused");
      const s = await checker.stock(goods.flashGoodsId);
      const lost = results.filter((r) => r.orderId && !s.orderIds.has(r.orderId));
      assert.equal(lost.length, 0, "every acknowledged order was committed");
      assert.equal(s.sold, s.liveUnits);
    } finally {
      clients.close();
      proc.kill("SIGKILL");
      await checker.close();
      await db.drop();
    }
  });
});
