import assert from "node:assert/strict";
import { isoDay } from "../src/platform/time";
import { grpcFailure } from "./support/grpc-clients";
import { callGrpc, rpcs, type RpcName } from "./support/rpc-table";
import { createGoods, createMember, createPeriod, goodsOnSale } from "./support/sale";
import { startTestService, type TestService } from "./support/service";
import type { Backend } from "./support/databases";

/** Asserts each named field is present with the JSON type the seed documents. */
function assertJsonTypes(obj: Record<string, unknown>, types: Record<string, "string" | "number" | "object">) {
  for (const [field, type] of Object.entries(types)) {
    assert.equal(typeof obj[field], type, `${field} should be a JSON ${type}, got ${JSON.stringify(obj[field])}`);
  }
}

const starTypes = { id: "string", flashGoodsId: "string", starSource: "string", starTarget: "string", createTime: "number", starHeadImg: "string" } as const;
const periodTypes = { id: "string", title: "string", startTime: "number", endTime: "number", status: "string", statusName: "string" } as const;
const goodsTypes = {
  flashGoodsId: "string", periodId: "string", goodsCode: "string", name: "string", image: "string", originalPrice: "number",
  flashPrice: "number", totalStock: "number", remainingStock: "number", limitPerCustomer: "number", starsRequired: "number", saleStatus: "string",
} as const;
const orderTypes = {
  orderId: "string", customerCode: "string", flashGoodsId: "string", periodId: "string", quantity: "number", unitPrice: "number",
  totalAmount: "number", status: "string", createTime: "number", payDeadline: "number",
} as const;
const customerTypes = {
  customerId: "string", name: "string", cardCode: "string", mobile: "string", birthday: "number", sex: "string", status: "string", statusName: "string",
} as const;

for (const backend of ["sqlite", "mysql"] as Backend[]) {
  describe(`API over gRPC and JSON (${backend})`, function () {
    let svc: TestService;
    let seq = 0;
    const uniq = (p: string) => `${p}-${backend}-${++seq}`;

    before(async () => {
      svc = await startTestService(backend);
    });
    after(async () => svc?.stop());

    describe("every row of the API table answers with the documented JSON names and types", () => {
      let periodId: string;
      let goodsId: string;
      const buyer = "api-buyer";
      const friend = "api-friend";

      before(async () => {
        const period = await createPeriod(svc.clients, "ongoing", "10:00场");
        periodId = period.id;
        goodsId = (await createGoods(svc.clients, periodId, { totalStock: 50, limitPerCustomer: 5 })).flashGoodsId;
        await createMember(svc.clients, buyer, "EFC", "openid-api-buyer");
        await createMember(svc.clients, friend);
      });

      it("when a member lights up a goods over gRPC and JSON, then AddStar returns the record and QueryStar lists it newest first", async () => {
        const viaGrpc = await callGrpc(svc.clients, "AddStar", { flashGoodsId: goodsId, starSource: friend, starTarget: buyer, starHeadImg: "https://h/1.png" });
        assert.equal(viaGrpc.star.starSource, friend);
        const again = await svc.postJson(rpcs.AddStar.path, { flashGoodsId: goodsId, starSource: friend, starTarget: buyer });
        assert.equal(again.status, 200);
        assertJsonTypes(again.json.star, starTypes);
        assert.equal(again.json.star.id, viaGrpc.star.id, "a repeated light-up returns the existing record");

        const listed = await svc.postJson(rpcs.QueryStar.path, { flashGoodsId: goodsId, customerCode: buyer, pageNo: 1, pageSize: 10 });
        assert.equal(listed.status, 200);
        assert.equal(listed.json.total, 1);
        assertJsonTypes(listed.json.stars[0], starTypes);
        const grpcList = await callGrpc(svc.clients, "QueryStar", { flashGoodsId: goodsId, customerCode: buyer, pageNo: 1, pageSize: 10 });
        assert.equal(grpcList.total, 1);
        assert.equal(grpcList.stars[0].id, viaGrpc.star.id);
      });

      it("when a WeChat openid is looked up, then GetCustomerByRefId returns the member flat", async () => {
        const body = { comeFrom: "WECHAT", relateFrom: "MINIPG", refId: "openid-api-buyer", refId2: "openid-api-buyer-u" };
        const res = await svc.postJson(rpcs.GetCustomerByRefId.path, body);
        assert.equal(res.status, 200);
        assertJsonTypes(res.json, customerTypes);
        assert.equal(res.json.customerId, buyer);
        assert.equal(res.json.status, "EFC");
        assert.equal(res.json.statusName, "正常");
        assert.equal(res.json.sex, "女");
        const viaGrpc = await callGrpc(svc.clients, "GetCustomerByRefId", { ...body, refId2: "" });
        assert.equal(viaGrpc.customerId, buyer);
      });

      it("when periods of a day are queried, then the ongoing one is listed with its status and Chinese name", async () => {
        const { period } = await callGrpc(svc.clients, "QueryGoodsDetail", { flashGoodsId: goodsId }).then((r) => r.goods);
        const date = isoDay(period.startTime, "Asia/Shanghai");
        const res = await svc.postJson(rpcs.QueryPeriods.path, { date });
        assert.equal(res.status, 200);
        const found = res.json.periods.find((p: { id: string }) => p.id === periodId);
        assertJsonTypes(found, periodTypes);
        assert.equal(found.status, "PERIOD_STATUS_ONGOING");
        assert.equal(found.statusName, "抢购中");
        const viaGrpc = await callGrpc(svc.clients, "QueryPeriods", { date });
        assert.ok(viaGrpc.periods.some((p: { id: string }) => p.id === periodId));
        const today = await svc.postJson(rpcs.QueryPeriods.path, {});
        assert.equal(today.status, 200);
        assert.ok(Array.isArray(today.json.periods));
      });

      it("when goods of a period and one goods' detail are queried, then they carry live stock and the detail its period", async () => {
        const page = await svc.postJson(rpcs.QueryGoodsByPeriod.path, { periodId, pageNo: 1, pageSize: 20 });
        assert.equal(page.status, 200);
        assert.equal(page.json.total, 1);
        assertJsonTypes(page.json.goods[0], goodsTypes);
        assert.equal(page.json.goods[0].saleStatus, "SALE_STATUS_ON_SALE");
        const detail = await svc.postJson(rpcs.QueryGoodsDetail.path, { flashGoodsId: goodsId });
        assert.equal(detail.status, 200);
        assertJsonTypes(detail.json.goods, { ...goodsTypes, description: "string", period: "object" });
        assert.deepEqual(detail.json.goods.images, ["https://img.example.com/t-1.jpg"]);
        assertJsonTypes(detail.json.goods.period, periodTypes);
        const viaGrpc = await callGrpc(svc.clients, "QueryGoodsByPeriod", { periodId, pageNo: 1, pageSize: 20 });
        assert.equal(viaGrpc.goods[0].flashGoodsId, goodsId);
      });

      it("when a member orders, queries, pays and cancels over JSON and gRPC, then each answer is the order with live stock following", async () => {
        const created = await svc.postJson(rpcs.CreateOrder.path, { customerCode: buyer, flashGoodsId: goodsId, requestId: "r-json-1" });
        assert.equal(created.status, 200, JSON.stringify(created.json));
        const order = created.json.order;
        assertJsonTypes(order, { ...orderTypes, payTime: "number", paymentNo: "string" });
        assert.equal(order.quantity, 1, "quantity defaults to 1");
        assert.equal(order.status, "ORDER_STATUS_PENDING_PAYMENT");
        assert.equal(order.totalAmount, 500);
        assert.ok(order.payDeadline - order.createTime === 15 * 60_000, "the pay window defaults to 15 minutes");

        const viaGrpc = await callGrpc(svc.clients, "CreateOrder", { customerCode: buyer, flashGoodsId: goodsId, requestId: "r-grpc-1", quantity: 2 });
        assert.equal(viaGrpc.order.quantity, 2);

        const detail = await callGrpc(svc.clients, "QueryGoodsDetail", { flashGoodsId: goodsId });
        assert.equal(detail.goods.remainingStock, 47);

        const one = await svc.postJson(rpcs.QueryOrder.path, { orderId: order.orderId, customerCode: buyer });
        assert.equal(one.status, 200);
        assert.equal(one.json.order.orderId, order.orderId);
        const list = await svc.postJson(rpcs.QueryOrders.path, { customerCode: buyer, pageNo: 1, pageSize: 10 });
        assert.equal(list.json.total, 2);
        assertJsonTypes(list.json.orders[0], orderTypes);

        const paid = await svc.postJson(rpcs.PayOrder.path, { orderId: order.orderId, paymentNo: "PAY-1" });
        assert.equal(paid.status, 200);
        assert.equal(paid.json.order.status, "ORDER_STATUS_PAID");
        assert.equal(paid.json.order.paymentNo, "PAY-1");
        const paidAgain = await callGrpc(svc.clients, "PayOrder", { orderId: order.orderId, paymentNo: "PAY-1" });
        assert.equal(paidAgain.order.status, 2, "paying twice with the same paymentNo returns the paid order");

        const cancelled = await svc.postJson(rpcs.CancelOrder.path, { orderId: viaGrpc.order.orderId, customerCode: buyer });
        assert.equal(cancelled.status, 200);
        assert.equal(cancelled.json.order.status, "ORDER_STATUS_CANCELLED");
        const after = await callGrpc(svc.clients, "QueryGoodsDetail", { flashGoodsId: goodsId });
        assert.equal(after.goods.remainingStock, 49, "a cancelled order's units return to sale");
        const viaGrpcQuery = await callGrpc(svc.clients, "QueryOrders", { customerCode: buyer, pageNo: 1, pageSize: 1 });
        assert.equal(viaGrpcQuery.orders.length, 1);
        assert.equal(viaGrpcQuery.total, 2);
      });

      it("when the admin methods are called over gRPC, then they create and return what JSON clients then read; they have no JSON path", async () => {
        const p = await callGrpc(svc.clients, "CreatePeriod", { title: "20:00场", startTime: Date.now() + 3_600_000, endTime: Date.now() + 7_200_000 });
        assert.equal(p.period.status, 1);
        const g = await callGrpc(svc.clients, "CreateFlashGoods", { periodId: p.period.id, goodsCode: "X", name: "X", originalPrice: 2, flashPrice: 1, totalStock: 3 });
        assert.equal(g.goods.limitPerCustomer, 1, "limitPerCustomer defaults to 1");
        assert.equal(g.goods.saleStatus, 1);
        const c = await callGrpc(svc.clients, "UpsertCustomer", { name: "新会员", refs: [{ comeFrom: "WECHAT", relateFrom: "MINIPG", refId: uniq("o") }] });
        assert.match(c.customer.customerId, /^[0-9a-f]{24}$/);
        assert.equal(c.customer.status, "EFC");
        const res = await fetch(`http://127.0.0.1:${svc.httpPort}/rest/admin/flashAdminService/createPeriod`, { method: "POST", body: "{}" });
        assert.equal(res.status, 404);
      });
    });

    describe("every error of SPEC.md's table answers with its code, reason and business code, over gRPC and JSON", () => {
      const fx = {} as Record<string, string>;

      before(async () => {
        const c = svc.clients;
        const ongoing = await createPeriod(c, "ongoing");
        fx.periodId = ongoing.id;
        fx.goods = (await createGoods(c, ongoing.id, { totalStock: 100, limitPerCustomer: 1 })).flashGoodsId;
        fx.starGoods = (await createGoods(c, ongoing.id, { starsRequired: 2 })).flashGoodsId;
        fx.lastUnit = (await createGoods(c, ongoing.id, { totalStock: 1 })).flashGoodsId;
        fx.upcoming = (await createGoods(c, (await createPeriod(c, "upcoming")).id)).flashGoodsId;
        fx.ended = (await createGoods(c, (await createPeriod(c, "ended")).id)).flashGoodsId;
        for (const [id, status] of [["e-ok", "EFC"], ["e-ok2", "EFC"], ["e-frozen", "FST"], ["e-cancelled", "CNL"]]) {
          await createMember(c, id, status);
        }
        await callGrpc(c, "AddStar", { flashGoodsId: fx.starGoods, starSource: "e-ok2", starTarget: "e-ok" });
        fx.order = (await callGrpc(c, "CreateOrder", { customerCode: "e-ok", flashGoodsId: fx.goods, requestId: "e-r1" })).order.orderId;
        await callGrpc(c, "CreateOrder", { customerCode: "e-ok2", flashGoodsId: fx.lastUnit, requestId: "e-last" });
        const paid = (await callGrpc(c, "CreateOrder", { customerCode: "e-ok2", flashGoodsId: fx.goods, requestId: "e-paid" })).order.orderId;
        await callGrpc(c, "PayOrder", { orderId: paid, paymentNo: "P-1" });
        fx.paid = paid;
        const toCancel = (await callGrpc(c, "CreateOrder", { customerCode: "e-ok", flashGoodsId: fx.starGoods, requestId: "e-cx" }).catch(() => undefined))?.order?.orderId;
        assert.equal(toCancel, undefined, "one light-up is not enough for starsRequired 2");
        await callGrpc(c, "AddStar", { flashGoodsId: fx.starGoods, starSource: "e-frozen-not", starTarget: "e-ok" }).catch(() => undefined);
        const cancelMe = (await callGrpc(c, "CreateOrder", { customerCode: "e-ok", flashGoodsId: fx.ended, requestId: "x" }).catch(() => undefined));
        assert.equal(cancelMe, undefined);
        const lastOrder = await callGrpc(c, "QueryOrders", { customerCode: "e-ok2", pageNo: 1, pageSize: 10 });
        fx.cancelled = lastOrder.orders.find((o: { flashGoodsId: string }) => o.flashGoodsId === fx.lastUnit).orderId;
        await callGrpc(c, "CancelOrder", { orderId: fx.cancelled, customerCode: "e-ok2" });
        // Someone else takes the unit the cancellation freed, so lastUnit is sold out again.
        await callGrpc(c, "CreateOrder", { customerCode: "e-ok", flashGoodsId: fx.lastUnit, requestId: "e-last2" });
      });

      type Case = { name: string; rpc: RpcName; body: () => Record<string, unknown>; code: number; http: number; reason: string; field?: string };
      const cases: Case[] = [
        { name: "a required id is missing", rpc: "QueryStar", body: () => ({ customerCode: "e-ok", pageNo: 1, pageSize: 10 }), code: 3, http: 400, reason: "INVALID_ARGUMENT", field: "flashGoodsId" },
        { name: "pageSize is 0", rpc: "QueryOrders", body: () => ({ customerCode: "e-ok", pageNo: 1, pageSize: 0 }), code: 3, http: 400, reason: "INVALID_ARGUMENT", field: "pageSize" },
        { name: "pageSize is over 100", rpc: "QueryGoodsByPeriod", body: () => ({ periodId: fx.periodId, pageNo: 1, pageSize: 101 }), code: 3, http: 400, reason: "INVALID_ARGUMENT", field: "pageSize" },
        { name: "pageNo is 0", rpc: "QueryStar", body: () => ({ flashGoodsId: fx.goods, customerCode: "e-ok", pageNo: 0, pageSize: 10 }), code: 3, http: 400, reason: "INVALID_ARGUMENT", field: "pageNo" },
        { name: "a string is over-long", rpc: "GetCustomerByRefId", body: () => ({ comeFrom: "WECHAT", relateFrom: "MINIPG", refId: "x".repeat(129) }), code: 3, http: 400, reason: "INVALID_ARGUMENT", field: "refId" },
        { name: "the date is not a day", rpc: "QueryPeriods", body: () => ({ date: "2026-02-30" }), code: 3, http: 400, reason: "INVALID_ARGUMENT", field: "date" },
        { name: "quantity is 0", rpc: "CreateOrder", body: () => ({ customerCode: "e-ok", flashGoodsId: fx.goods, requestId: "q0", quantity: 0 }), code: 3, http: 400, reason: "INVALID_ARGUMENT", field: "quantity" },
        { name: "requestId is missing", rpc: "CreateOrder", body: () => ({ customerCode: "e-ok", flashGoodsId: fx.goods }), code: 3, http: 400, reason: "INVALID_ARGUMENT", field: "requestId" },
        { name: "the goods is unknown (detail)", rpc: "QueryGoodsDetail", body: () => ({ flashGoodsId: "nope" }), code: 5, http: 404, reason: "GOODS_NOT_FOUND" },
        { name: "the goods is unknown (order)", rpc: "CreateOrder", body: () => ({ customerCode: "e-ok", flashGoodsId: "nope", requestId: "g404" }), code: 5, http: 404, reason: "GOODS_NOT_FOUND" },
        { name: "the goods is unknown (star)", rpc: "AddStar", body: () => ({ flashGoodsId: "nope", starSource: "e-ok2", starTarget: "e-ok" }), code: 5, http: 404, reason: "GOODS_NOT_FOUND" },
        { name: "the period is unknown", rpc: "QueryGoodsByPeriod", body: () => ({ periodId: "nope", pageNo: 1, pageSize: 10 }), code: 5, http: 404, reason: "PERIOD_NOT_FOUND" },
        { name: "the channel reference is unknown", rpc: "GetCustomerByRefId", body: () => ({ comeFrom: "WECHAT", relateFrom: "MINIPG", refId: "nobody" }), code: 5, http: 404, reason: "CUSTOMER_NOT_FOUND" },
        { name: "the buyer is unknown", rpc: "CreateOrder", body: () => ({ customerCode: "nobody", flashGoodsId: fx.goods, requestId: "c404" }), code: 5, http: 404, reason: "CUSTOMER_NOT_FOUND" },
        { name: "the star target is unknown", rpc: "AddStar", body: () => ({ flashGoodsId: fx.goods, starSource: "e-ok", starTarget: "nobody" }), code: 5, http: 404, reason: "CUSTOMER_NOT_FOUND" },
        { name: "the order is unknown", rpc: "QueryOrder", body: () => ({ orderId: "nope", customerCode: "e-ok" }), code: 5, http: 404, reason: "ORDER_NOT_FOUND" },
        { name: "the order is another member's", rpc: "QueryOrder", body: () => ({ orderId: fx.order, customerCode: "e-ok2" }), code: 5, http: 404, reason: "ORDER_NOT_FOUND" },
        { name: "cancelling an unknown order", rpc: "CancelOrder", body: () => ({ orderId: "nope", customerCode: "e-ok" }), code: 5, http: 404, reason: "ORDER_NOT_FOUND" },
        { name: "paying an unknown order", rpc: "PayOrder", body: () => ({ orderId: "nope", paymentNo: "P" }), code: 5, http: 404, reason: "ORDER_NOT_FOUND" },
        { name: "the buyer is frozen", rpc: "CreateOrder", body: () => ({ customerCode: "e-frozen", flashGoodsId: fx.goods, requestId: "fz" }), code: 9, http: 400, reason: "CUSTOMER_FROZEN" },
        { name: "the lighting member is frozen", rpc: "AddStar", body: () => ({ flashGoodsId: fx.goods, starSource: "e-frozen", starTarget: "e-ok" }), code: 9, http: 400, reason: "CUSTOMER_FROZEN" },
        { name: "the buyer is cancelled", rpc: "CreateOrder", body: () => ({ customerCode: "e-cancelled", flashGoodsId: fx.goods, requestId: "cn" }), code: 9, http: 400, reason: "CUSTOMER_CANCELLED" },
        { name: "the sale has not started", rpc: "CreateOrder", body: () => ({ customerCode: "e-ok", flashGoodsId: fx.upcoming, requestId: "ns" }), code: 9, http: 400, reason: "SALE_NOT_STARTED" },
        { name: "the sale has ended (order)", rpc: "CreateOrder", body: () => ({ customerCode: "e-ok", flashGoodsId: fx.ended, requestId: "se" }), code: 9, http: 400, reason: "SALE_ENDED" },
        { name: "the sale has ended (star)", rpc: "AddStar", body: () => ({ flashGoodsId: fx.ended, starSource: "e-ok2", starTarget: "e-ok" }), code: 9, http: 400, reason: "SALE_ENDED" },
        { name: "light-ups are missing", rpc: "CreateOrder", body: () => ({ customerCode: "e-ok", flashGoodsId: fx.starGoods, requestId: "st" }), code: 9, http: 400, reason: "STARS_REQUIRED" },
        { name: "the member's limit is reached", rpc: "CreateOrder", body: () => ({ customerCode: "e-ok", flashGoodsId: fx.goods, requestId: "lim" }), code: 9, http: 400, reason: "LIMIT_EXCEEDED" },
        { name: "the quantity is over the limit", rpc: "CreateOrder", body: () => ({ customerCode: "e-ok2", flashGoodsId: fx.starGoods, requestId: "lim2", quantity: 2 }), code: 9, http: 400, reason: "LIMIT_EXCEEDED" },
        { name: "the goods is sold out", rpc: "CreateOrder", body: () => ({ customerCode: "e-ok2", flashGoodsId: fx.lastUnit, requestId: "so" }), code: 9, http: 400, reason: "SOLD_OUT" },
        { name: "a member lights up itself", rpc: "AddStar", body: () => ({ flashGoodsId: fx.goods, starSource: "e-ok", starTarget: "e-ok" }), code: 9, http: 400, reason: "SELF_STAR_NOT_ALLOWED" },
        { name: "a paid order is cancelled", rpc: "CancelOrder", body: () => ({ orderId: fx.paid, customerCode: "e-ok2" }), code: 9, http: 400, reason: "ORDER_STATE_CONFLICT" },
        { name: "a cancelled order is paid", rpc: "PayOrder", body: () => ({ orderId: fx.cancelled, paymentNo: "P-2" }), code: 9, http: 400, reason: "ORDER_STATE_CONFLICT" },
        { name: "a paid order is paid under another paymentNo", rpc: "PayOrder", body: () => ({ orderId: fx.paid, paymentNo: "P-other" }), code: 9, http: 400, reason: "ORDER_STATE_CONFLICT" },
        { name: "a requestId is reused with another payload", rpc: "CreateOrder", body: () => ({ customerCode: "e-ok", flashGoodsId: fx.goods, requestId: "e-r1", quantity: 2 }), code: 6, http: 409, reason: "REQUEST_ID_CONFLICT" },
      ];
      const businessCodes: Record<string, string> = {
        INVALID_ARGUMENT: "11001000", GOODS_NOT_FOUND: "11002001", PERIOD_NOT_FOUND: "11002002", CUSTOMER_NOT_FOUND: "11002003",
        ORDER_NOT_FOUND: "11002004", CUSTOMER_FROZEN: "11003001", CUSTOMER_CANCELLED: "11003002", SALE_NOT_STARTED: "11003003",
        SALE_ENDED: "11003004", STARS_REQUIRED: "11003005", LIMIT_EXCEEDED: "11003006", SOLD_OUT: "11003007",
        SELF_STAR_NOT_ALLOWED: "11003008", ORDER_STATE_CONFLICT: "11003009", REQUEST_ID_CONFLICT: "11001004",
      };

      for (const c of cases) {
        it(`when ${c.name}, then gRPC answers ${c.reason}`, async () => {
          const err = await grpcFailure(callGrpc(svc.clients, c.rpc, c.body()));
          assert.equal(err.code, c.code, err.message);
          assert.equal(err.reason, c.reason);
          assert.equal(err.domain, "flashsale");
          assert.equal(err.businessCode, businessCodes[c.reason]);
          if (c.field) assert.equal(err.field, c.field);
          assert.ok(err.message.length > 0 && !/select|insert|update|knex|at \w+ \(/i.test(err.message), `message leaks: ${err.message}`);
        });
        it(`when ${c.name}, then JSON answers HTTP ${c.http} with the google.rpc.Status body`, async () => {
          const res = await svc.postJson(rpcs[c.rpc].path!, c.body());
          assert.equal(res.status, c.http, JSON.stringify(res.json));
          assert.equal(res.json.code, c.code);
          const info = res.json.details.find((d: { "@type": string }) => d["@type"] === "type.googleapis.com/google.rpc.ErrorInfo");
          assert.equal(info.reason, c.reason);
          assert.equal(info.domain, "flashsale");
          assert.equal(info.metadata.code, businessCodes[c.reason]);
          if (c.field) assert.equal(info.metadata.field, c.field);
        });
      }

      it("when an admin call names an unknown period, then it answers PERIOD_NOT_FOUND", async () => {
        const err = await grpcFailure(callGrpc(svc.clients, "CreateFlashGoods", { periodId: "nope", goodsCode: "X", name: "X", totalStock: 1 }));
        assert.equal(err.reason, "PERIOD_NOT_FOUND");
      });
    });

    describe("a flash crowd on the database path", () => {
      it("when 100 members send CreateOrder at once for 10 units, then exactly 10 orders exist and stock is 0", async () => {
        const goods = await goodsOnSale(svc.clients, { totalStock: 10, limitPerCustomer: 1 });
        const members = Array.from({ length: 100 }, (_, i) => `crowd-${i}`);
        for (let i = 0; i < members.length; i += 25) await Promise.all(members.slice(i, i + 25).map((m) => createMember(svc.clients, m)));
        const results = await Promise.allSettled(
          members.map((m) => callGrpc(svc.clients, "CreateOrder", { customerCode: m, flashGoodsId: goods.flashGoodsId, requestId: `crowd-${m}` })),
        );
        const won = results.filter((r) => r.status === "fulfilled");
        assert.equal(won.length, 10);
        for (const r of results) {
          if (r.status === "rejected") assert.equal((await grpcFailure(Promise.reject(r.reason))).reason, "SOLD_OUT");
        }
        const detail = await callGrpc(svc.clients, "QueryGoodsDetail", { flashGoodsId: goods.flashGoodsId });
        assert.equal(detail.goods.remainingStock, 0);
        assert.equal(detail.goods.saleStatus, 3);
        for (const r of won) {
          const order = (r as PromiseFulfilledResult<any>).value.order;
          const q = await callGrpc(svc.clients, "QueryOrder", { orderId: order.orderId, customerCode: order.customerCode });
          assert.equal(q.order.orderId, order.orderId);
        }
      });
    });
  });
}
