import assert from "node:assert/strict";
import { runCrowd, randomAttempts, type AttemptResult } from "./support/crowd";
import { grpcFailure } from "./support/grpc-clients";
import { assertInvariants, gateTaken, openChecker, type Checker } from "./support/invariants";
import { goodsOnSale } from "./support/sale";
import { startTestService, type TestService } from "./support/service";
import { startTcpProxy } from "./support/tcp-proxy";

/**
 * Redis and MySQL blink mid-sale. The service reaches both through TCP
 * proxies this test controls (never by stopping the machine's shared servers).
 */
describe("faults: Redis and MySQL cut mid-sale, then restored", function () {
  this.timeout(120_000);
  let svc: TestService;
  let checker: Checker;
  let redisProxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let mysqlProxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let realRedisUrl = "";
  const all: AttemptResult[] = [];
  let goodsId = "";
  let members: string[] = [];
  let round = 0;

  before(async () => {
    redisProxy = await startTcpProxy("127.0.0.1", 6379);
    mysqlProxy = await startTcpProxy("127.0.0.1", 3306);
    svc = await startTestService("mysql", { RECONCILE_INTERVAL_MS: "500", RESERVATION_STALE_MS: "3000" }, ({ databaseUrl, redisUrl }) => {
      realRedisUrl = redisUrl;
      const db = new URL(databaseUrl);
      db.host = `127.0.0.1:${mysqlProxy.port}`;
      const r = new URL(redisUrl);
      r.host = `127.0.0.1:${redisProxy.port}`;
      return { databaseUrl: db.toString(), redisUrl: r.toString() };
    });
    checker = openChecker(svc.databaseUrl.replace(`:${mysqlProxy.port}`, ":3306"));
    members = Array.from({ length: 1000 }, (_, i) => `f-${i}`);
    // Two members kept out of the crowd, so their probe calls can only fail for the outage.
    await checker.knex("customers").insert([...members, "f-probe-redis", "f-probe-mysql"].map((customer_id) => ({ customer_id, status: "EFC", updated_at: Date.now() })));
    goodsId = (await goodsOnSale(svc.clients, { totalStock: 700, limitPerCustomer: 1 })).flashGoodsId;
  });
  after(async () => {
    await svc?.stop();
    await checker?.close();
    await redisProxy?.close();
    await mysqlProxy?.close();
  });

  const burst = async (n: number) => {
    const results = await runCrowd([svc.clients], randomAttempts(goodsId, members, n, () => 1, `f${++round}`), 50);
    all.push(...results);
    return results;
  };
  const timedFailure = async (call: Promise<unknown>) => {
    const t0 = Date.now();
    const err = await grpcFailure(call);
    return { ...err, ms: Date.now() - t0 };
  };

  it("when the sale runs normally, then orders are taken", async () => {
    const r = await burst(150);
    assert.ok(r.some((x) => x.orderId));
  });

  it("when Redis is cut, then CreateOrder fails UNAVAILABLE within 1 s while reads keep working from the database", async () => {
    redisProxy.cut();
    const err = await timedFailure(svc.clients.order.createOrder({ customerCode: "f-probe-redis", flashGoodsId: goodsId, requestId: "redis-cut" }, undefined, { deadline: Date.now() + 5000 }));
    assert.equal(err.code, 14);
    assert.equal(err.reason, "SERVICE_UNAVAILABLE");
    assert.ok(err.ms < 1000, `took ${err.ms} ms`);
    const detail = await svc.clients.goods.queryGoodsDetail({ flashGoodsId: goodsId });
    assert.equal(detail.goods!.flashGoodsId, goodsId);
    const r = await burst(100);
    assert.ok(r.every((x) => x.code === 14), "every attempt during the outage is UNAVAILABLE");
  });

  it("when Redis comes back, then the sale continues by itself", async () => {
    redisProxy.restore();
    await new Promise((r) => setTimeout(r, 1500));
    const r = await burst(200);
    assert.ok(r.some((x) => x.orderId), JSON.stringify(r.slice(0, 3)));
  });

  it("when MySQL is cut, then CreateOrder fails UNAVAILABLE within its deadline and no reservation is kept", async () => {
    mysqlProxy.cut();
    const err = await timedFailure(svc.clients.order.createOrder({ customerCode: "f-probe-mysql", flashGoodsId: goodsId, requestId: "mysql-cut" }, undefined, { deadline: Date.now() + 8000 }));
    assert.equal(err.code, 14, err.message);
    assert.equal(err.reason, "SERVICE_UNAVAILABLE");
    assert.ok(err.ms < 8000, `took ${err.ms} ms`);
    const r = await burst(60);
    assert.ok(r.every((x) => x.code === 14 || x.reason === "SOLD_OUT" || x.reason === "LIMIT_EXCEEDED"), JSON.stringify(r.filter((x) => x.code !== 14).slice(0, 3)));
  });

  it("when MySQL comes back, then the service recovers by itself and sells the rest", async () => {
    mysqlProxy.restore();
    let sold = false;
    for (let i = 0; i < 20 && !sold; i++) {
      await new Promise((r) => setTimeout(r, 500));
      sold = (await burst(100)).some((x) => x.orderId);
    }
    assert.ok(sold, "orders are taken again");
    await burst(3000);
  });

  it("when both outages are over, then nothing is oversold, no acknowledged order is lost and no unit is stranded", async () => {
    await new Promise((r) => setTimeout(r, 4000)); // reservations left by the outages go stale and are reconciled
    const s = await assertInvariants(checker, goodsId, all.filter((r) => r.orderId).map((r) => r.orderId!), 1);
    assert.equal(s.sold, 700, "every unit was sold in the end: none stranded");
    assert.equal(await gateTaken(realRedisUrl, goodsId), s.sold, "gate == database");
  });
});
