import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { decodeGrpcError, grpcFailure } from "./support/grpc-clients";
import { openChecker, type Checker } from "./support/invariants";
import { callGrpc, rpcs, type RpcName } from "./support/rpc-table";
import { createMember, goodsOnSale } from "./support/sale";
import { startTestService, type TestService } from "./support/service";
import type { Backend } from "./support/databases";

/**
 * Malformed, hostile and oversized input on every RPC, over gRPC and JSON:
 * each case names the exact status and reason it must get. Afterwards the
 * service still answers and not one row changed.
 */
type Expect = { code: number; http: number; reason?: string; field?: string };
const invalid = (field?: string): Expect => ({ code: 3, http: 400, reason: "INVALID_ARGUMENT", field });
type Case = { name: string; rpc: RpcName; body: Record<string, unknown>; expect: Expect; only?: "grpc" | "http" };

const long = (n: number) => "x".repeat(n);
const injection = "1' OR '1'='1'; DROP TABLE orders; --";
const page = { pageNo: 1, pageSize: 10 };

// Ids made during setup, written into the table as placeholders.
const placeholders = { goods: "<goods>", period: "<period>", member: "hostile-member" };

function resolve(value: unknown, fx: Record<string, string>): any {
  if (value === placeholders.goods) return fx.goods;
  if (value === placeholders.period) return fx.period;
  if (Array.isArray(value)) return value.map((v) => resolve(v, fx));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, fx)]));
  return value;
}

function cases(fx: { goods: string; period: string; member: string }): Case[] {
  const order = { customerCode: fx.member, flashGoodsId: fx.goods, requestId: "hostile" };
  return [
    // QueryStar
    { name: "QueryStar without flashGoodsId", rpc: "QueryStar", body: { customerCode: fx.member, ...page }, expect: invalid("flashGoodsId") },
    { name: "QueryStar without customerCode", rpc: "QueryStar", body: { flashGoodsId: fx.goods, ...page }, expect: invalid("customerCode") },
    { name: "QueryStar with pageNo 0", rpc: "QueryStar", body: { flashGoodsId: fx.goods, customerCode: fx.member, pageNo: 0, pageSize: 10 }, expect: invalid("pageNo") },
    { name: "QueryStar with a negative pageNo", rpc: "QueryStar", body: { flashGoodsId: fx.goods, customerCode: fx.member, pageNo: -1, pageSize: 10 }, expect: invalid("pageNo") },
    { name: "QueryStar with the largest int32 pageNo", rpc: "QueryStar", body: { flashGoodsId: fx.goods, customerCode: fx.member, pageNo: 2147483647, pageSize: 10 }, expect: invalid("pageNo") },
    { name: "QueryStar with the smallest int32 pageSize", rpc: "QueryStar", body: { flashGoodsId: fx.goods, customerCode: fx.member, pageNo: 1, pageSize: -2147483648 }, expect: invalid("pageSize") },
    { name: "QueryStar with an injection id", rpc: "QueryStar", body: { flashGoodsId: injection, customerCode: fx.member, ...page }, expect: invalid("flashGoodsId") },
    // AddStar
    { name: "AddStar without starTarget", rpc: "AddStar", body: { flashGoodsId: fx.goods, starSource: fx.member }, expect: invalid("starTarget") },
    { name: "AddStar with a 1 MB head image", rpc: "AddStar", body: { flashGoodsId: fx.goods, starSource: fx.member, starTarget: "other", starHeadImg: long(1_000_000) }, expect: invalid("starHeadImg") },
    { name: "AddStar with a NUL in starSource", rpc: "AddStar", body: { flashGoodsId: fx.goods, starSource: "a\u0000b", starTarget: fx.member }, expect: invalid("starSource") },
    { name: "AddStar with a line break in the head image", rpc: "AddStar", body: { flashGoodsId: fx.goods, starSource: "s", starTarget: fx.member, starHeadImg: "a\nb" }, expect: invalid("starHeadImg") },
    // GetCustomerByRefId
    { name: "GetCustomerByRefId without comeFrom", rpc: "GetCustomerByRefId", body: { relateFrom: "MINIPG", refId: "x" }, expect: invalid("comeFrom") },
    { name: "GetCustomerByRefId with only spaces in refId", rpc: "GetCustomerByRefId", body: { comeFrom: "WECHAT", relateFrom: "MINIPG", refId: "   " }, expect: invalid("refId") },
    { name: "GetCustomerByRefId with a 65-character relateFrom", rpc: "GetCustomerByRefId", body: { comeFrom: "WECHAT", relateFrom: long(65), refId: "x" }, expect: invalid("relateFrom") },
    { name: "GetCustomerByRefId with an injection refId", rpc: "GetCustomerByRefId", body: { comeFrom: "WECHAT", relateFrom: "MINIPG", refId: injection }, expect: { code: 5, http: 404, reason: "CUSTOMER_NOT_FOUND" } },
    { name: "GetCustomerByRefId with a control character", rpc: "GetCustomerByRefId", body: { comeFrom: "WE\u0007CHAT", relateFrom: "MINIPG", refId: "x" }, expect: invalid("comeFrom") },
    // QueryPeriods
    { name: "QueryPeriods with month 13", rpc: "QueryPeriods", body: { date: "2026-13-01" }, expect: invalid("date") },
    { name: "QueryPeriods with February 30", rpc: "QueryPeriods", body: { date: "2026-02-30" }, expect: invalid("date") },
    { name: "QueryPeriods with an injection date", rpc: "QueryPeriods", body: { date: injection }, expect: invalid("date") },
    { name: "QueryPeriods with a 1 MB date", rpc: "QueryPeriods", body: { date: long(1_000_000) }, expect: invalid("date") },
    // QueryGoodsByPeriod / QueryGoodsDetail
    { name: "QueryGoodsByPeriod without periodId", rpc: "QueryGoodsByPeriod", body: { ...page }, expect: invalid("periodId") },
    { name: "QueryGoodsByPeriod with pageSize 101", rpc: "QueryGoodsByPeriod", body: { periodId: fx.period, pageNo: 1, pageSize: 101 }, expect: invalid("pageSize") },
    { name: "QueryGoodsByPeriod with pageSize 0", rpc: "QueryGoodsByPeriod", body: { periodId: fx.period, pageNo: 1, pageSize: 0 }, expect: invalid("pageSize") },
    { name: "QueryGoodsDetail without flashGoodsId", rpc: "QueryGoodsDetail", body: {}, expect: invalid("flashGoodsId") },
    { name: "QueryGoodsDetail with a path-traversal id", rpc: "QueryGoodsDetail", body: { flashGoodsId: "../../etc/passwd" }, expect: invalid("flashGoodsId") },
    { name: "QueryGoodsDetail with a 1 MB id", rpc: "QueryGoodsDetail", body: { flashGoodsId: long(1_000_000) }, expect: invalid("flashGoodsId") },
    { name: "QueryGoodsDetail with an emoji id", rpc: "QueryGoodsDetail", body: { flashGoodsId: "😀" }, expect: invalid("flashGoodsId") },
    // CreateOrder
    { name: "CreateOrder without customerCode", rpc: "CreateOrder", body: { flashGoodsId: fx.goods, requestId: "r" }, expect: invalid("customerCode") },
    { name: "CreateOrder without flashGoodsId", rpc: "CreateOrder", body: { customerCode: fx.member, requestId: "r" }, expect: invalid("flashGoodsId") },
    { name: "CreateOrder with quantity 0", rpc: "CreateOrder", body: { ...order, quantity: 0 }, expect: invalid("quantity") },
    { name: "CreateOrder with a negative quantity", rpc: "CreateOrder", body: { ...order, quantity: -5 }, expect: invalid("quantity") },
    { name: "CreateOrder with the largest int32 quantity", rpc: "CreateOrder", body: { ...order, quantity: 2147483647 }, expect: invalid("quantity") },
    { name: "CreateOrder with the smallest int32 quantity", rpc: "CreateOrder", body: { ...order, quantity: -2147483648 }, expect: invalid("quantity") },
    { name: "CreateOrder with a 65-character requestId", rpc: "CreateOrder", body: { ...order, requestId: long(65) }, expect: invalid("requestId") },
    { name: "CreateOrder with an injection requestId", rpc: "CreateOrder", body: { ...order, requestId: injection }, expect: invalid("requestId") },
    { name: "CreateOrder with a tab in customerCode", rpc: "CreateOrder", body: { ...order, customerCode: "a\tb" }, expect: invalid("customerCode") },
    // QueryOrder / QueryOrders / CancelOrder / PayOrder
    { name: "QueryOrder without orderId", rpc: "QueryOrder", body: { customerCode: fx.member }, expect: invalid("orderId") },
    { name: "QueryOrder with an injection orderId", rpc: "QueryOrder", body: { orderId: injection, customerCode: fx.member }, expect: invalid("orderId") },
    { name: "QueryOrders without customerCode", rpc: "QueryOrders", body: { ...page }, expect: invalid("customerCode") },
    { name: "QueryOrders with a huge pageNo", rpc: "QueryOrders", body: { customerCode: fx.member, pageNo: 1_000_001, pageSize: 10 }, expect: invalid("pageNo") },
    { name: "CancelOrder without customerCode", rpc: "CancelOrder", body: { orderId: "o" }, expect: invalid("customerCode") },
    { name: "PayOrder without paymentNo", rpc: "PayOrder", body: { orderId: "o" }, expect: invalid("paymentNo") },
    { name: "PayOrder with a 1 MB paymentNo", rpc: "PayOrder", body: { orderId: "o", paymentNo: long(1_000_000) }, expect: invalid("paymentNo") },
    // Admin (gRPC only)
    { name: "CreatePeriod without title", rpc: "CreatePeriod", body: { startTime: 1, endTime: 2 }, expect: invalid("title"), only: "grpc" },
    { name: "CreatePeriod with NaN startTime", rpc: "CreatePeriod", body: { title: "t", startTime: NaN, endTime: 2 }, expect: invalid("startTime"), only: "grpc" },
    { name: "CreatePeriod with infinite endTime", rpc: "CreatePeriod", body: { title: "t", startTime: 1, endTime: Infinity }, expect: invalid("endTime"), only: "grpc" },
    { name: "CreatePeriod with a fractional startTime", rpc: "CreatePeriod", body: { title: "t", startTime: 1.5, endTime: 2 }, expect: invalid("startTime"), only: "grpc" },
    { name: "CreatePeriod ending before it starts", rpc: "CreatePeriod", body: { title: "t", startTime: 2_000_000_000_000, endTime: 1_000_000_000_000 }, expect: invalid("endTime"), only: "grpc" },
    { name: "CreateFlashGoods with no stock", rpc: "CreateFlashGoods", body: { periodId: fx.period, goodsCode: "g", name: "n", totalStock: 0 }, expect: invalid("totalStock"), only: "grpc" },
    { name: "CreateFlashGoods with a negative price", rpc: "CreateFlashGoods", body: { periodId: fx.period, goodsCode: "g", name: "n", totalStock: 1, flashPrice: -1 }, expect: invalid("flashPrice"), only: "grpc" },
    { name: "CreateFlashGoods with 21 images", rpc: "CreateFlashGoods", body: { periodId: fx.period, goodsCode: "g", name: "n", totalStock: 1, images: Array(21).fill("u") }, expect: invalid("images"), only: "grpc" },
    { name: "CreateFlashGoods with a 1 MB description", rpc: "CreateFlashGoods", body: { periodId: fx.period, goodsCode: "g", name: "n", totalStock: 1, description: long(1_000_000) }, expect: invalid("description"), only: "grpc" },
    { name: "UpsertCustomer with an unknown status", rpc: "UpsertCustomer", body: { status: "XYZ" }, expect: invalid("status"), only: "grpc" },
    { name: "UpsertCustomer with an unknown sex", rpc: "UpsertCustomer", body: { sex: "M" }, expect: invalid("sex"), only: "grpc" },
    { name: "UpsertCustomer with a huge birthday", rpc: "UpsertCustomer", body: { birthday: 1e300 }, expect: invalid("birthday"), only: "grpc" },
    { name: "UpsertCustomer with a ref missing refId", rpc: "UpsertCustomer", body: { refs: [{ comeFrom: "W", relateFrom: "M" }] }, expect: invalid("refs.refId"), only: "grpc" },
  ];
}

/** JSON bodies no typed client can send: each path gets them raw. */
const rawJsonCases: { name: string; path: string; body: string | Buffer; contentType?: string; status: number; reason?: string; field?: string }[] = [
  { name: "truncated JSON", path: rpcs.QueryGoodsDetail.path, body: '{"flashGoodsId": "x"', status: 400, reason: "INVALID_ARGUMENT" },
  { name: "a JSON array", path: rpcs.CreateOrder.path, body: "[1,2,3]", status: 400, reason: "INVALID_ARGUMENT" },
  { name: "a JSON string", path: rpcs.QueryPeriods.path, body: '"2026-01-01"', status: 400, reason: "INVALID_ARGUMENT" },
  { name: "a number where a string belongs", path: rpcs.QueryGoodsDetail.path, body: '{"flashGoodsId": 12}', status: 400, reason: "INVALID_ARGUMENT", field: "flashGoodsId" },
  { name: "a string where a number belongs", path: rpcs.QueryOrders.path, body: '{"customerCode":"c","pageNo":"abc","pageSize":10}', status: 400, reason: "INVALID_ARGUMENT", field: "pageNo" },
  { name: "a fraction where an int32 belongs", path: rpcs.QueryOrders.path, body: '{"customerCode":"c","pageNo":1.5,"pageSize":10}', status: 400, reason: "INVALID_ARGUMENT", field: "pageNo" },
  { name: "a number beyond int32", path: rpcs.CreateOrder.path, body: '{"customerCode":"c","flashGoodsId":"g","requestId":"r","quantity":1e20}', status: 400, reason: "INVALID_ARGUMENT", field: "quantity" },
  { name: "an object where a string belongs", path: rpcs.AddStar.path, body: '{"flashGoodsId":{"$ne":null},"starSource":"a","starTarget":"b"}', status: 400, reason: "INVALID_ARGUMENT", field: "flashGoodsId" },
  { name: "an array where a string belongs", path: rpcs.QueryOrder.path, body: '{"orderId":["a"],"customerCode":"c"}', status: 400, reason: "INVALID_ARGUMENT", field: "orderId" },
  { name: "invalid UTF-8", path: rpcs.QueryGoodsDetail.path, body: Buffer.from([0x7b, 0x22, 0x66, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), status: 400, reason: "INVALID_ARGUMENT" },
  { name: "a form body", path: rpcs.CreateOrder.path, body: "customerCode=a&flashGoodsId=b", contentType: "application/x-www-form-urlencoded", status: 400, reason: "INVALID_ARGUMENT" },
  { name: "XML", path: rpcs.QueryStar.path, body: "<xml/>", contentType: "text/xml", status: 400, reason: "INVALID_ARGUMENT" },
  { name: "a body over 1 MiB", path: rpcs.AddStar.path, body: JSON.stringify({ starHeadImg: long(1_100_000) }), status: 413, reason: "INVALID_ARGUMENT" },
  { name: "unknown fields only (then the required ones are missing)", path: rpcs.QueryGoodsDetail.path, body: '{"evil":"x","__proto__":{"admin":true}}', status: 400, reason: "INVALID_ARGUMENT", field: "flashGoodsId" },
  { name: "JSON nested 5,000 deep in an unknown field", path: rpcs.QueryGoodsDetail.path, body: `{"deep":${"[".repeat(5000)}${"]".repeat(5000)}}`, status: 400, reason: "INVALID_ARGUMENT", field: "flashGoodsId" },
  { name: "an unknown path", path: "/order/flashOrderService/dropTables", body: "{}", status: 404 },
];

for (const backend of ["sqlite", "mysql"] as Backend[]) {
  describe(`hostile input (${backend})`, function () {
    this.timeout(60_000);
    let svc: TestService;
    let checker: Checker;
    const fx = { goods: "", period: "", member: "hostile-member" };
    let before: Record<string, number>;

    const counts = async () => {
      const out: Record<string, number> = {};
      for (const t of ["customers", "customer_refs", "periods", "flash_goods", "stars", "orders"]) {
        out[t] = Number((await checker.knex(t).count({ n: "*" }))[0].n);
      }
      out.sold = Number((await checker.knex("flash_goods").sum({ s: "sold_stock" }))[0].s ?? 0);
      return out;
    };

    before_(async () => {
      svc = await startTestService(backend);
      checker = openChecker(svc.databaseUrl);
      await createMember(svc.clients, fx.member);
      const goods = await goodsOnSale(svc.clients, { totalStock: 5 });
      fx.goods = goods.flashGoodsId;
      fx.period = goods.periodId;
      before = await counts();
    });
    after(async () => {
      await checker?.close();
      await svc?.stop();
    });

    describe("over gRPC and JSON", () => {
      for (const c of cases(placeholders)) {
        if (c.only !== "http") {
          it(`when ${c.name} over gRPC, then ${c.expect.reason}${c.expect.field ? ` on ${c.expect.field}` : ""}`, async () => {
            const err = await grpcFailure(callGrpc(svc.clients, c.rpc, resolve(c.body, fx)));
            assert.equal(err.code, c.expect.code, err.message);
            assert.equal(err.reason, c.expect.reason);
            if (c.expect.field) assert.equal(err.field, c.expect.field);
            assert.ok(err.message.length < 200, "the message is a sentence, not an echo of the input");
          });
        }
        if (c.only !== "grpc" && rpcs[c.rpc].path) {
          it(`when ${c.name} over JSON, then HTTP ${c.expect.http}`, async () => {
            const res = await svc.postJson(rpcs[c.rpc].path!, resolve(c.body, fx));
            assert.equal(res.status, c.expect.http, JSON.stringify(res.json).slice(0, 300));
            const info = res.json.details.find((d: Record<string, string>) => d["@type"]?.endsWith("ErrorInfo"));
            assert.equal(info.reason, c.expect.reason);
            if (c.expect.field) assert.equal(info.metadata.field, c.expect.field);
          });
        }
      }
    });

    describe("raw JSON bodies", () => {
      for (const c of rawJsonCases) {
        it(`when the body is ${c.name}, then HTTP ${c.status}${c.reason ? ` ${c.reason}` : ""}`, async () => {
          const res = await fetch(`http://127.0.0.1:${svc.httpPort}/rest${c.path}`, {
            method: "POST",
            headers: { "content-type": c.contentType ?? "application/json" },
            body: c.body,
          });
          assert.equal(res.status, c.status);
          const json = (await res.json()) as { code: number; details: Record<string, any>[] };
          assert.equal(typeof json.code, "number");
          if (c.reason) assert.equal(json.details[0].reason, c.reason);
          if (c.field) assert.equal(json.details[0].metadata.field, c.field);
        });
      }
    });

    describe("raw gRPC messages", () => {
      const raw = (path: string, bytes: Buffer) =>
        new Promise<void>((resolve, reject) => {
          const client = new grpc.Client(svc.grpcAddress, grpc.credentials.createInsecure());
          client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err) => {
            client.close();
            err ? reject(err) : resolve();
          });
        });

      it("when a string field carries invalid UTF-8, then INVALID_ARGUMENT", async () => {
        // field 1 (flashGoodsId), length 3, bytes ff fe 41
        const err = await raw("/flashsale.goods.v1.FlashGoodsService/QueryGoodsDetail", Buffer.from([0x0a, 0x03, 0xff, 0xfe, 0x41])).then(
          () => assert.fail("accepted"),
          decodeGrpcError,
        );
        assert.equal(err.code, 3);
        assert.equal(err.reason, "INVALID_ARGUMENT");
      });

      it("when the bytes are not a protobuf message, then INTERNAL without details of the parser", async () => {
        const err = await raw("/flashsale.goods.v1.FlashGoodsService/QueryGoodsDetail", Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])).then(
          () => assert.fail("accepted"),
          decodeGrpcError,
        );
        assert.equal(err.code, 13);
      });

      it("when a message is over 1 MiB, then RESOURCE_EXHAUSTED before any handler runs", async () => {
        const big = Buffer.concat([Buffer.from([0x0a, 0x80, 0x80, 0x48]), Buffer.alloc(0x120000, 0x61)]);
        const err = await raw("/flashsale.goods.v1.FlashGoodsService/QueryGoodsDetail", big).then(() => assert.fail("accepted"), decodeGrpcError);
        assert.equal(err.code, 8);
      });

      it("when the method does not exist, then UNIMPLEMENTED", async () => {
        const err = await raw("/flashsale.order.v1.FlashOrderService/DropTables", Buffer.alloc(0)).then(() => assert.fail("accepted"), decodeGrpcError);
        assert.equal(err.code, 12);
      });
    });

    describe("afterwards", () => {
      it("when the hostile suite is over, then the service is healthy, answers normally and not one row changed", async () => {
        const detail = await svc.clients.goods.queryGoodsDetail({ flashGoodsId: fx.goods });
        assert.equal(detail.goods!.remainingStock, 5);
        assert.deepEqual(await counts(), before);
      });
    });
  });
}

// mocha's `before`, named so the suite's own `before` snapshot reads clearly.
function before_(fn: () => Promise<void>) {
  before(fn);
}
