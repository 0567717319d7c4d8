import assert from "node:assert/strict";
import { grpcFailure } from "./support/grpc-clients";
import { sample } from "./support/metrics";
import { createMember, goodsOnSale } from "./support/sale";
import { startTestService, type TestService } from "./support/service";

describe("metrics at /metrics (MySQL + Redis)", function () {
  this.timeout(30_000);
  let svc: TestService;
  before(async () => {
    svc = await startTestService("mysql");
  });
  after(async () => svc?.stop());

  it("when a small sale runs, then /metrics counts calls by method, code and reason, times them, and shows batches, gate verdicts, releases and live stock", async () => {
    const members = ["mx-1", "mx-2", "mx-3", "mx-4", "mx-5"];
    for (const m of members) await createMember(svc.clients, m);
    const goods = await goodsOnSale(svc.clients, { totalStock: 3 });
    const results = await Promise.allSettled(
      members.map((m) => svc.clients.order.createOrder({ customerCode: m, flashGoodsId: goods.flashGoodsId, requestId: `mx-${m}` })),
    );
    const won = results.filter((r): r is PromiseFulfilledResult<any> => r.status === "fulfilled").map((r) => r.value.order);
    assert.equal(won.length, 3);
    for (const r of results) if (r.status === "rejected") assert.equal((await grpcFailure(Promise.reject(r.reason))).reason, "SOLD_OUT");
    await svc.clients.order.cancelOrder({ orderId: won[0].orderId, customerCode: won[0].customerCode });

    const res = await fetch(`http://127.0.0.1:${svc.httpPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
    const text = await res.text();
    assert.equal(sample(text, "flashsale_grpc_requests_total", { method: "CreateOrder", code: "OK", reason: "OK" }), 3);
    assert.equal(sample(text, "flashsale_grpc_requests_total", { method: "CreateOrder", code: "FAILED_PRECONDITION", reason: "SOLD_OUT" }), 2);
    assert.equal(sample(text, "flashsale_grpc_requests_total", { method: "CancelOrder", code: "OK", reason: "OK" }), 1);
    assert.equal(sample(text, "flashsale_grpc_request_duration_seconds_count", { method: "CreateOrder" }), 5);
    assert.ok(sample(text, "flashsale_grpc_request_duration_seconds_bucket", { method: "CreateOrder", le: "+Inf" }) === 5);
    assert.ok((sample(text, "flashsale_grpc_request_duration_seconds_sum", { method: "CreateOrder" }) ?? 0) > 0);
    assert.equal(sample(text, "flashsale_gate_verdicts_total", { verdict: "RESERVED" }), 3);
    assert.equal(sample(text, "flashsale_gate_verdicts_total", { verdict: "SOLD_OUT" }), 2);
    assert.equal(sample(text, "flashsale_gate_releases_total", { cause: "order" }), 1);
    assert.equal(sample(text, "flashsale_order_batch_size_sum"), 3);
    assert.ok((sample(text, "flashsale_order_batch_commit_seconds_count") ?? 0) >= 1);
    assert.equal(sample(text, "flashsale_remaining_stock", { goods: goods.flashGoodsId }), 1, "three sold, one cancelled");
    assert.equal(sample(text, "flashsale_redis_up"), 1);
    assert.ok(sample(text, "flashsale_db_pool_connections", { state: "free" }) !== undefined);
    assert.ok(sample(text, "flashsale_process_resident_memory_bytes")! > 0);
  });
});
