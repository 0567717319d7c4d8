import assert from "node:assert/strict";
import { Writable } from "node:stream";
import * as grpc from "@grpc/grpc-js";
import { createLogger, maskMobile } from "../src/platform/logger";
import { freshDatabase } from "./support/databases";
import { connectClients } from "./support/grpc-clients";
import { spawnService } from "./support/processes";

describe("structured logs", function () {
  this.timeout(60_000);

  it("when a call carries x-request-id over gRPC or JSON, then its log line is one JSON object with that id, the method and the outcome", async () => {
    const db = await freshDatabase("sqlite");
    const proc = await spawnService({ DATABASE_URL: db.url });
    const clients = connectClients(proc.grpcAddress);
    try {
      const md = new grpc.Metadata();
      md.set("x-request-id", "req-grpc-42");
      await clients.goods.queryPeriods({ date: "2026-01-01" }, md);
      await fetch(`http://127.0.0.1:${proc.httpPort}/rest/goods/flashGoodsService/queryGoodsDetail`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "req-http-43" },
        body: JSON.stringify({ flashGoodsId: "missing" }),
      });
      await new Promise((r) => setTimeout(r, 300));
      const lines = proc.log().trim().split("\n").map((l) => JSON.parse(l));
      const grpcLine = lines.find((l) => l.requestId === "req-grpc-42");
      assert.deepEqual({ msg: grpcLine.msg, level: grpcLine.level, method: grpcLine.method, code: grpcLine.code }, { msg: "call", level: "info", method: "QueryPeriods", code: "OK" });
      const httpLine = lines.find((l) => l.requestId === "req-http-43");
      assert.equal(httpLine.method, "QueryGoodsDetail");
      assert.equal(httpLine.reason, "GOODS_NOT_FOUND");
      assert.equal(typeof httpLine.ms, "number");
    } finally {
      clients.close();
      proc.kill("SIGTERM");
      await proc.exited;
      await db.drop();
    }
  });

  it("when a log object carries a mobile number or a token, then the mobile is masked and the token never printed", async () => {
    let out = "";
    const sink = new Writable({ write: (chunk, _enc, done) => ((out += chunk), done()) });
    const logger = createLogger("info", sink);
    logger.info("member updated", { mobile: "13812345678", customer: { mobile: "13987654321" }, authorization: "Bearer secret.jwt.value", token: "t0k3n" });
    await new Promise((r) => setTimeout(r, 50));
    const line = JSON.parse(out.trim());
    assert.equal(line.mobile, "138****5678");
    assert.equal(line.customer.mobile, "139****4321");
    assert.equal(line.authorization, "[redacted]");
    assert.equal(line.token, "[redacted]");
    assert.ok(!out.includes("13812345678") && !out.includes("secret.jwt.value") && !out.includes("t0k3n"));
    assert.equal(maskMobile("123"), "****");
  });
});
