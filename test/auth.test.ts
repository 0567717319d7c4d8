import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { SignJWT } from "jose";
import { ConfigError, loadConfig } from "../src/platform/config";
import { grpcFailure } from "./support/grpc-clients";
import { callGrpc, rpcs, type RpcName } from "./support/rpc-table";
import { startTestService, type TestService } from "./support/service";

const secret = "test-secret-that-is-long-enough-for-hs256!";
const key = new TextEncoder().encode(secret);

async function token(sub: string, role: string, options: { expiresIn?: string | number; key?: Uint8Array } = {}) {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "5m")
    .sign(options.key ?? key);
}

const bearer = (t: string) => {
  const m = new grpc.Metadata();
  m.set("authorization", `Bearer ${t}`);
  return m;
};

describe("authentication and authorisation (AUTH_MODE=jwt)", function () {
  this.timeout(60_000);
  let svc: TestService;
  const t: Record<string, string> = {};
  const fx: Record<string, string> = {};

  before(async () => {
    svc = await startTestService("sqlite", { AUTH_MODE: "jwt", AUTH_JWT_SECRET: secret });
    t.admin = await token("ops-1", "admin");
    t.service = await token("payment-service", "service");
    t.alice = await token("auth-alice", "customer");
    t.bob = await token("auth-bob", "customer");
    t.expired = await token("auth-alice", "customer", { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    t.forged = await token("auth-alice", "customer", { key: new TextEncoder().encode("another-secret-that-is-long-enough!!") });
    t.noRole = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("auth-alice").setExpirationTime("5m").sign(key);
    const md = bearer(t.admin);
    for (const id of ["auth-alice", "auth-bob"]) await callGrpc(svc.clients, "UpsertCustomer", { customerId: id, refs: [{ comeFrom: "WECHAT", relateFrom: "MINIPG", refId: `o-${id}` }] }, md);
    const { period } = await callGrpc(svc.clients, "CreatePeriod", { title: "t", startTime: Date.now() - 3_600_000, endTime: Date.now() + 3_600_000 }, md);
    fx.goods = (await callGrpc(svc.clients, "CreateFlashGoods", { periodId: period.id, goodsCode: "A", name: "A", originalPrice: 2, flashPrice: 1, totalStock: 100, limitPerCustomer: 100 }, md)).goods.flashGoodsId;
    fx.aliceOrder = (await callGrpc(svc.clients, "CreateOrder", { customerCode: "auth-alice", flashGoodsId: fx.goods, requestId: "seed" }, bearer(t.alice))).order.orderId;
  });
  after(async () => svc?.stop());

  type Case = { who: string; rpc: RpcName; body: () => Record<string, unknown>; expect: "OK" | "UNAUTHENTICATED" | "PERMISSION_DENIED" };
  let n = 0;
  const order = (customerCode: string) => () => ({ customerCode, flashGoodsId: fx.goods, requestId: `r-${++n}` });
  const cases: Case[] = [
    { who: "none", rpc: "QueryGoodsDetail", body: () => ({ flashGoodsId: fx.goods }), expect: "UNAUTHENTICATED" },
    { who: "garbage", rpc: "QueryGoodsDetail", body: () => ({ flashGoodsId: fx.goods }), expect: "UNAUTHENTICATED" },
    { who: "expired", rpc: "CreateOrder", body: order("auth-alice"), expect: "UNAUTHENTICATED" },
    { who: "forged", rpc: "CreateOrder", body: order("auth-alice"), expect: "UNAUTHENTICATED" },
    { who: "noRole", rpc: "CreateOrder", body: order("auth-alice"), expect: "UNAUTHENTICATED" },
    { who: "alice", rpc: "QueryGoodsDetail", body: () => ({ flashGoodsId: fx.goods }), expect: "OK" },
    { who: "alice", rpc: "CreateOrder", body: order("auth-alice"), expect: "OK" },
    { who: "alice", rpc: "CreateOrder", body: order("auth-bob"), expect: "PERMISSION_DENIED" },
    { who: "alice", rpc: "QueryOrder", body: () => ({ orderId: fx.aliceOrder, customerCode: "auth-alice" }), expect: "OK" },
    { who: "bob", rpc: "QueryOrder", body: () => ({ orderId: fx.aliceOrder, customerCode: "auth-alice" }), expect: "PERMISSION_DENIED" },
    { who: "bob", rpc: "QueryOrders", body: () => ({ customerCode: "auth-alice", pageNo: 1, pageSize: 10 }), expect: "PERMISSION_DENIED" },
    { who: "bob", rpc: "CancelOrder", body: () => ({ orderId: fx.aliceOrder, customerCode: "auth-alice" }), expect: "PERMISSION_DENIED" },
    { who: "bob", rpc: "QueryStar", body: () => ({ flashGoodsId: fx.goods, customerCode: "auth-alice", pageNo: 1, pageSize: 10 }), expect: "PERMISSION_DENIED" },
    { who: "bob", rpc: "AddStar", body: () => ({ flashGoodsId: fx.goods, starSource: "auth-bob", starTarget: "auth-alice" }), expect: "OK" },
    { who: "bob", rpc: "AddStar", body: () => ({ flashGoodsId: fx.goods, starSource: "auth-alice", starTarget: "auth-bob" }), expect: "PERMISSION_DENIED" },
    { who: "alice", rpc: "PayOrder", body: () => ({ orderId: fx.aliceOrder, paymentNo: "SELF-PAID" }), expect: "PERMISSION_DENIED" },
    { who: "alice", rpc: "GetCustomerByRefId", body: () => ({ comeFrom: "WECHAT", relateFrom: "MINIPG", refId: "o-auth-bob" }), expect: "PERMISSION_DENIED" },
    { who: "service", rpc: "GetCustomerByRefId", body: () => ({ comeFrom: "WECHAT", relateFrom: "MINIPG", refId: "o-auth-bob" }), expect: "OK" },
    { who: "service", rpc: "CreateOrder", body: order("auth-bob"), expect: "OK" },
    { who: "service", rpc: "PayOrder", body: () => ({ orderId: fx.aliceOrder, paymentNo: "PAY-OK" }), expect: "OK" },
    { who: "alice", rpc: "CreatePeriod", body: () => ({ title: "x", startTime: Date.now(), endTime: Date.now() + 1000 }), expect: "PERMISSION_DENIED" },
    { who: "service", rpc: "UpsertCustomer", body: () => ({ name: "x" }), expect: "PERMISSION_DENIED" },
    { who: "admin", rpc: "CreatePeriod", body: () => ({ title: "x", startTime: Date.now(), endTime: Date.now() + 1000 }), expect: "OK" },
  ];
  const header = (who: string) => (who === "none" ? undefined : who === "garbage" ? "Bearer not.a.jwt" : `Bearer ${t[who]}`);
  const codes = { UNAUTHENTICATED: [16, 401], PERMISSION_DENIED: [7, 403] } as const;

  for (const c of cases) {
    it(`when ${c.who} calls ${c.rpc}${c.expect === "OK" ? "" : " outside its rights"}, then gRPC answers ${c.expect}`, async () => {
      const md = new grpc.Metadata();
      const h = header(c.who);
      if (h) md.set("authorization", h);
      const call = callGrpc(svc.clients, c.rpc, c.body(), md);
      if (c.expect === "OK") return void (await call);
      const err = await grpcFailure(call);
      assert.equal(err.code, codes[c.expect][0]);
      assert.equal(err.reason, c.expect);
    });
    if (!rpcs[c.rpc].path) continue;
    it(`when ${c.who} calls ${c.rpc} over JSON, then HTTP answers ${c.expect === "OK" ? 200 : codes[c.expect][1]}`, async () => {
      const h = header(c.who);
      const res = await svc.postJson(rpcs[c.rpc].path!, c.body(), h ? { authorization: h } : {});
      if (c.expect === "OK") return assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.equal(res.status, codes[c.expect][1]);
      assert.equal(res.json.details[0].reason, c.expect);
    });
  }

  it("when a client checks health without a token, then it is answered (operations need no token)", async () => {
    const { HealthClient } = await import("../bench/health-client");
    const health = new HealthClient(svc.grpcAddress, grpc.credentials.createInsecure());
    const res = await new Promise<{ status: string }>((resolve, reject) =>
      health.check({ service: "" }, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    health.close();
    assert.ok(res.status === "SERVING" || Number(res.status) === 1, `status ${res.status}`);
  });
});

describe("refusing to run open on a network", () => {
  it("when AUTH_MODE is none and HOST is not loopback, then the configuration is refused", () => {
    assert.throws(() => loadConfig({ HOST: "0.0.0.0" }), ConfigError);
    assert.throws(() => loadConfig({ HOST: "0.0.0.0", AUTH_MODE: "none" }), /loopback/);
    assert.throws(() => loadConfig({ HOST: "0.0.0.0", AUTH_MODE: "jwt", AUTH_JWT_SECRET: "short" }), /32 characters/);
    assert.equal(loadConfig({ HOST: "0.0.0.0", AUTH_MODE: "jwt", AUTH_JWT_SECRET: secret }).authMode, "jwt");
  });

  it("when the service is started on 0.0.0.0 with auth off, then it exits at once with a message and code 78", async () => {
    const child = spawn(process.execPath, ["--require", "tsx/cjs", "src/main.ts"], {
      cwd: join(__dirname, ".."),
      env: { ...process.env, HOST: "0.0.0.0", AUTH_MODE: "none", GRPC_PORT: "0", HTTP_PORT: "0", DATABASE_URL: "sqlite::memory:" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    const [code] = await once(child, "exit");
    assert.equal(code, 78);
    assert.match(err, /AUTH_MODE=none is allowed only on a loopback HOST/);
  });
});
