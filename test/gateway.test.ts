import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import { join } from "node:path";
import {
  create,
  createFileRegistry,
  fromBinary,
  fromJson,
  getExtension,
  hasExtension,
  setExtension,
  toBinary,
} from "@bufbuild/protobuf";
import type { DescMessage, JsonValue } from "@bufbuild/protobuf";
import { anyPack, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { httpStatusForGrpcCode } from "../src/gateway/http-status";
import { createJsonGateway, type JsonGateway, type JsonGatewayOptions } from "../src/gateway/json-gateway";
import { httpCall, type HttpAnswer, type HttpCall } from "./support/gateway-http-client";
import { startStubGrpcServer, type StubAnswer, type StubGrpcServer } from "./support/gateway-stub-server";

const descriptorSet = readFileSync(join(__dirname, "..", "gen", "flashsale.binpb"));
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));

function schema(typeName: string): DescMessage {
  const message = registry.getMessage(typeName);
  assert.ok(message, `${typeName} is in the descriptor set`);
  return message;
}

const statusSchema = schema("google.rpc.Status");
const errorInfoSchema = schema("google.rpc.ErrorInfo");
const httpRuleExtension = registry.getExtension("google.api.http")!;

const GOODS_SERVICE = "/flashsale.goods.v1.FlashGoodsService";
const QUERY_GOODS_DETAIL = "/rest/goods/flashGoodsService/queryGoodsDetail";
const QUERY_GOODS_BY_PERIOD = "/rest/goods/flashGoodsService/queryGoodsByPeriod";
const QUERY_PERIODS = "/rest/goods/flashGoodsService/queryPeriods";
const ONE_MIB = 1024 * 1024;

/** A JSON-built reply, so the stub reads like the JSON it should produce. */
function reply(typeName: string, json: JsonValue): StubAnswer {
  const message = schema(typeName);
  return { reply: toBinary(message, fromJson(message, json)) };
}

/** The ErrorInfo the service attaches to a failure, in the status-details trailer. */
function failureWithDetails(code: grpc.status, message: string): StubAnswer {
  const errorInfo = create(errorInfoSchema, {
    reason: "PERIOD_NOT_FOUND",
    domain: "flashsale",
    metadata: { code: "11002002" },
  });
  const status = create(statusSchema, { code, message, details: [anyPack(errorInfoSchema, errorInfo)] });
  const trailer = new grpc.Metadata();
  trailer.set("grpc-status-details-bin", Buffer.from(toBinary(statusSchema, status)));
  return { error: { code, details: message, metadata: trailer } };
}

const stubHandlers = {
  /** Echoes the id in a detail that leaves most fields at their defaults. */
  [`${GOODS_SERVICE}/QueryGoodsDetail`]: (request: Buffer) => {
    const { flashGoodsId } = fromBinary(schema("flashsale.goods.v1.QueryGoodsDetailRequest"), request) as unknown as {
      flashGoodsId: string;
    };
    return reply("flashsale.goods.v1.QueryGoodsDetailResponse", {
      goods: {
        flashGoodsId,
        originalPrice: 1999,
        saleStatus: "SALE_STATUS_ON_SALE",
        period: { id: "p-1", startTime: 1767225600000 },
      },
    });
  },
  /** periodId "fail-N" fails with gRPC code N and an ErrorInfo detail. */
  [`${GOODS_SERVICE}/QueryGoodsByPeriod`]: (request: Buffer) => {
    const { periodId } = fromBinary(schema("flashsale.goods.v1.QueryGoodsByPeriodRequest"), request) as unknown as {
      periodId: string;
    };
    const failing = /^fail-(\d+)$/.exec(periodId);
    return failing
      ? failureWithDetails(Number(failing[1]), "The period does not exist.")
      : reply("flashsale.goods.v1.QueryGoodsByPeriodResponse", {});
  },
  /** date "plain-N" fails with code N and no details; "hang" answers only when cancelled. */
  [`${GOODS_SERVICE}/QueryPeriods`]: (request: Buffer, call: grpc.ServerUnaryCall<Buffer, Buffer>) => {
    const { date } = fromBinary(schema("flashsale.goods.v1.QueryPeriodsRequest"), request) as unknown as { date: string };
    if (date === "hang") {
      return new Promise<StubAnswer>((resolve) => {
        call.on("cancelled", () => {
          cancelledCalls += 1;
          resolve({ error: { code: grpc.status.CANCELLED } });
        });
      });
    }
    const failing = /^plain-(\d+)$/.exec(date);
    return failing
      ? { error: { code: Number(failing[1]), details: "Plain failure at 10.0.0.7:3306." } }
      : reply("flashsale.goods.v1.QueryPeriodsResponse", {});
  },
};
let cancelledCalls = 0;

/** The gateway on a real HTTP server; paths it declines are answered "fallback". */
async function serveGateway(options: JsonGatewayOptions): Promise<{ port: number; stop(): Promise<void> }> {
  const gateway: JsonGateway = createJsonGateway(options);
  const server = http.createServer((req, res) => {
    if (!gateway.handle(req, res)) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("fallback");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The Status JSON the gateway answers for its own errors. */
function gatewayStatus(code: number, message: string | RegExp, reason: string, metadata: Record<string, string>) {
  return (body: any) => {
    assert.deepEqual(Object.keys(body), ["code", "message", "details"]);
    assert.equal(body.code, code);
    if (typeof message === "string") assert.equal(body.message, message);
    else assert.match(body.message, message);
    assert.deepEqual(body.details, [
      { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "flashsale", metadata },
    ]);
  };
}

const invalidArgument = (message: string | RegExp, extra: Record<string, string> = {}) =>
  gatewayStatus(3, message, "INVALID_ARGUMENT", { code: "11001000", ...extra });

/** Every method with a google.api.http annotation, read from the descriptor set. */
function annotatedMethods(): { grpcPath: string; httpMethod: string; path: string }[] {
  const found = [];
  for (const type of registry) {
    if (type.kind !== "service") continue;
    for (const method of type.methods) {
      const options = method.proto.options;
      if (!options || !hasExtension(options, httpRuleExtension)) continue;
      const rule = getExtension(options, httpRuleExtension) as { pattern: { case: string; value: string } };
      found.push({ grpcPath: `/${type.typeName}/${method.name}`, httpMethod: rule.pattern.case.toUpperCase(), path: rule.pattern.value });
    }
  }
  return found;
}

/** The descriptor set with one method's google.api.http rule replaced. */
function descriptorSetWithRule(methodName: string, rule: Record<string, unknown>): Uint8Array {
  const set = fromBinary(FileDescriptorSetSchema, descriptorSet);
  const file = set.file.find((candidate) => candidate.name === "flashsale/goods/v1/flash_goods_service.proto")!;
  const method = file.service[0].method.find((candidate) => candidate.name === methodName)!;
  assert.equal(httpRuleExtension.fieldKind, "message");
  if (httpRuleExtension.fieldKind !== "message") throw new Error("google.api.http is a message");
  setExtension(method.options!, httpRuleExtension, create(httpRuleExtension.message, rule));
  return toBinary(FileDescriptorSetSchema, set);
}

describe("JSON gateway", () => {
  let stub: StubGrpcServer;
  let gateway: { port: number; stop(): Promise<void> };
  const call = (request: HttpCall): Promise<HttpAnswer> => httpCall(gateway.port, request);
  const post = (path: string, body: string, headers: http.OutgoingHttpHeaders = {}) =>
    call({ path, body, headers: { "content-type": "application/json", ...headers } });

  before(async () => {
    stub = await startStubGrpcServer(registry, stubHandlers);
    gateway = await serveGateway({ descriptorSet, grpcTarget: stub.target });
  });

  after(async () => {
    await gateway.stop();
    await stub.stop();
  });

  beforeEach(() => {
    stub.calls.length = 0;
  });

  describe("routes", () => {
    it("when the descriptor set is loaded, then every annotated method answers on its path and reaches its gRPC method", async () => {
      const methods = annotatedMethods();
      const annotationsInProtos = readdirSync(join(__dirname, "..", "proto"), { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".proto"))
        .map((file) => readFileSync(join(__dirname, "..", "proto", file), "utf8").split("option (google.api.http)").length - 1)
        .reduce((sum, count) => sum + count, 0);
      assert.equal(methods.length, annotationsInProtos);
      assert.ok(methods.length >= 11);
      for (const method of methods) {
        assert.equal(method.httpMethod, "POST");
        assert.match(method.path, /^\/rest\//);
        stub.calls.length = 0;
        const answer = await call({ method: method.httpMethod, path: method.path, body: "{}" });
        assert.equal(answer.status, 200, `${method.path}: ${answer.text}`);
        assert.equal(answer.headers["content-type"], "application/json");
        assert.deepEqual(stub.calls.map((received) => received.grpcPath), [method.grpcPath]);
      }
    });

    it("when a path under /rest has no route, then 404 with a NOT_FOUND Status", async () => {
      const answer = await post("/rest/goods/flashGoodsService/noSuchMethod", "{}");
      assert.equal(answer.status, 404);
      assert.equal(answer.headers["content-type"], "application/json");
      gatewayStatus(5, "No JSON route for POST /rest/goods/flashGoodsService/noSuchMethod.", "NOT_FOUND", {
        code: "11000000",
      })(answer.json);
      assert.equal(stub.calls.length, 0);
    });

    it("when a route is asked with another HTTP method, then 404", async () => {
      const answer = await call({ method: "GET", path: QUERY_GOODS_DETAIL });
      assert.equal(answer.status, 404);
      assert.equal(answer.json.code, 5);
      assert.equal(stub.calls.length, 0);
    });

    it("when the path is outside /rest, then handle returns false and leaves the response to the caller", async () => {
      for (const path of ["/metrics", "/restful", "/", "/grpc.health.v1.Health/Check"]) {
        const answer = await call({ method: "GET", path });
        assert.equal(answer.status, 200, path);
        assert.equal(answer.text, "fallback", path);
      }
    });

    it("when the path carries a query string, then the route still matches", async () => {
      const answer = await post(`${QUERY_GOODS_DETAIL}?trace=1`, '{"flashGoodsId":"g-q"}');
      assert.equal(answer.status, 200);
      assert.equal(answer.json.goods.flashGoodsId, "g-q");
    });

    it("when an annotation uses another verb, then the route answers on that verb", async () => {
      const verbGateway = await serveGateway({
        descriptorSet: descriptorSetWithRule("QueryGoodsDetail", {
          pattern: { case: "put", value: "/rest/goods/detail" },
          body: "*",
        }),
        grpcTarget: stub.target,
      });
      try {
        const answer = await httpCall(verbGateway.port, { method: "PUT", path: "/rest/goods/detail", body: '{"flashGoodsId":"g-put"}' });
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.json.goods.flashGoodsId, "g-put");
        assert.equal((await httpCall(verbGateway.port, { path: QUERY_GOODS_DETAIL, body: "{}" })).status, 404);
      } finally {
        await verbGateway.stop();
      }
    });

    it("when an annotation uses a path variable, another body or response_body, then creating the gateway fails", () => {
      const unsupported = [
        { pattern: { case: "get", value: "/rest/goods/{flashGoodsId}" } },
        { pattern: { case: "post", value: "/rest/goods/detail" }, body: "goods" },
        { pattern: { case: "post", value: "/rest/goods/detail" }, body: "*", responseBody: "goods" },
      ];
      for (const rule of unsupported) {
        assert.throws(
          () => createJsonGateway({ descriptorSet: descriptorSetWithRule("QueryGoodsDetail", rule), grpcTarget: stub.target }),
          /QueryGoodsDetail: the JSON gateway does not support/,
        );
      }
    });
  });

  describe("requests and answers", () => {
    it("when a method answers, then the JSON prints every field with lowerCamelCase names, numbers and enum names", async () => {
      const answer = await post(QUERY_GOODS_DETAIL, '{"flashGoodsId":"g-1"}');
      assert.equal(answer.status, 200);
      assert.equal(answer.headers["content-type"], "application/json");
      assert.deepEqual(answer.json, {
        goods: {
          flashGoodsId: "g-1",
          periodId: "",
          goodsCode: "",
          name: "",
          image: "",
          originalPrice: 1999,
          flashPrice: 0,
          totalStock: 0,
          remainingStock: 0,
          limitPerCustomer: 0,
          starsRequired: 0,
          saleStatus: "SALE_STATUS_ON_SALE",
          description: "",
          images: [],
          period: {
            id: "p-1",
            title: "",
            startTime: 1767225600000,
            endTime: 0,
            status: "PERIOD_STATUS_UNSPECIFIED",
            statusName: "",
          },
        },
      });
    });

    it("when the body has unknown fields, then they are ignored", async () => {
      const answer = await post(QUERY_GOODS_DETAIL, '{"flashGoodsId":"g-2","unknownField":{"deep":[1,2]},"other":true}');
      assert.equal(answer.status, 200);
      assert.equal(answer.json.goods.flashGoodsId, "g-2");
    });

    it("when the body uses proto field names or numbers as strings, then the proto3 JSON mapping accepts them", async () => {
      const answer = await post(QUERY_GOODS_BY_PERIOD, '{"period_id":"p-1","pageNo":"2","pageSize":10}');
      assert.equal(answer.status, 200, answer.text);
      const request = fromBinary(schema("flashsale.goods.v1.QueryGoodsByPeriodRequest"), stub.calls[0].request);
      assert.deepEqual(request, create(schema("flashsale.goods.v1.QueryGoodsByPeriodRequest"), { periodId: "p-1", pageNo: 2, pageSize: 10 }));
    });

    it("when the body is empty, then the request is the empty message", async () => {
      const answer = await call({ path: QUERY_GOODS_DETAIL });
      assert.equal(answer.status, 200);
      assert.equal(answer.json.goods.flashGoodsId, "");
      assert.equal(stub.calls[0].request.length, 0);
    });

    it("when the body is malformed JSON, then 400 with an INVALID_ARGUMENT Status and no call", async () => {
      for (const body of ['{"flashGoodsId":', "{'flashGoodsId':'g'}", "nope"]) {
        const answer = await post(QUERY_GOODS_DETAIL, body);
        assert.equal(answer.status, 400, body);
        assert.equal(answer.headers["content-type"], "application/json");
        invalidArgument("The request body is not valid JSON.")(answer.json);
      }
      const notUtf8 = await call({ path: QUERY_GOODS_DETAIL, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
      assert.equal(notUtf8.status, 400);
      invalidArgument("The request body is not valid JSON.")(notUtf8.json);
      assert.equal(stub.calls.length, 0);
    });

    it("when a field has the wrong type, then 400 naming the field in ErrorInfo metadata", async () => {
      const answer = await post(QUERY_GOODS_BY_PERIOD, '{"periodId":"p-1","pageNo":"abc","pageSize":10}');
      assert.equal(answer.status, 400);
      invalidArgument(/^Invalid value for field pageNo: /, { field: "pageNo" })(answer.json);
      const fraction = await post(QUERY_GOODS_BY_PERIOD, '{"pageSize":1.5}');
      assert.equal(fraction.status, 400);
      assert.equal(fraction.json.details[0].metadata.field, "pageSize");
      assert.equal(stub.calls.length, 0);
    });

    it("when the body is JSON but not an object, then 400 with INVALID_ARGUMENT", async () => {
      for (const body of ["[]", "42", '"text"', "null"]) {
        const answer = await post(QUERY_GOODS_DETAIL, body);
        assert.equal(answer.status, 400, body);
        invalidArgument("The request body does not match the request message.")(answer.json);
      }
      assert.equal(stub.calls.length, 0);
    });

    it("when the body is exactly 1 MiB, then it is accepted", async () => {
      const prefix = '{"flashGoodsId":"';
      const suffix = '"}';
      const id = "x".repeat(ONE_MIB - prefix.length - suffix.length);
      const answer = await post(QUERY_GOODS_DETAIL, prefix + id + suffix);
      assert.equal(answer.status, 200);
      assert.equal(answer.json.goods.flashGoodsId.length, id.length);
    });

    it("when the body is over 1 MiB, then 413 with an INVALID_ARGUMENT Status, with or without Content-Length", async () => {
      const declared = await post(QUERY_GOODS_DETAIL, " ".repeat(ONE_MIB + 1));
      const chunked = await call({ path: QUERY_GOODS_DETAIL, chunks: [Buffer.alloc(ONE_MIB, 0x20), Buffer.from(" {}")] });
      for (const answer of [declared, chunked]) {
        assert.equal(answer.status, 413);
        assert.equal(answer.headers["content-type"], "application/json");
        assert.equal(answer.headers.connection, "close");
        invalidArgument(`The request body is larger than ${ONE_MIB} bytes.`)(answer.json);
      }
      assert.equal(stub.calls.length, 0);
    });

    it("when maxBodyBytes is set, then it is the limit", async () => {
      const small = await serveGateway({ descriptorSet, grpcTarget: stub.target, maxBodyBytes: 32 });
      try {
        const fits = await httpCall(small.port, { path: QUERY_GOODS_DETAIL, body: '{"flashGoodsId":"0123456789abc"}' });
        assert.equal(fits.status, 200);
        const over = await httpCall(small.port, { path: QUERY_GOODS_DETAIL, body: '{"flashGoodsId":"0123456789abcd"}' });
        assert.equal(over.status, 413);
      } finally {
        await small.stop();
      }
    });

    it("when the client goes away during the call, then the gRPC call is cancelled", async () => {
      const cancelledBefore = cancelledCalls;
      const req = http.request({ host: "127.0.0.1", port: gateway.port, method: "POST", path: QUERY_PERIODS, agent: false });
      req.on("error", () => undefined);
      req.end('{"date":"hang"}');
      while (stub.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      req.destroy();
      while (cancelledCalls === cancelledBefore) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(cancelledCalls, cancelledBefore + 1);
    });
  });

  describe("headers", () => {
    it("when headers arrive, then authorization, x-request-id and other end-to-end headers reach the server as metadata", async () => {
      const answer = await post(QUERY_GOODS_DETAIL, '{"flashGoodsId":"g-h"}', {
        authorization: "Bearer token-1",
        "x-request-id": "req-1",
        "x-client-version": "3.2.1",
        "x-trace-bin": Buffer.from([1, 2, 3]).toString("base64"),
        connection: "keep-alive, x-hop",
        "x-hop": "hop",
        "grpc-timeout": "1n",
        "grpc-custom": "no",
      });
      assert.equal(answer.status, 200);
      const metadata = stub.calls[0].metadata;
      assert.deepEqual(metadata.get("authorization"), ["Bearer token-1"]);
      assert.deepEqual(metadata.get("x-request-id"), ["req-1"]);
      assert.deepEqual(metadata.get("x-client-version"), ["3.2.1"]);
      assert.deepEqual(metadata.get("x-trace-bin"), [Buffer.from([1, 2, 3])]);
      for (const dropped of ["x-hop", "connection", "grpc-custom", "content-length", "host", "keep-alive"]) {
        assert.deepEqual(metadata.get(dropped), [], dropped);
      }
      assert.ok(!metadata.get("content-type").includes("application/json"));
    });

    it("when no x-request-id arrives, then the server gets a generated one", async () => {
      await post(QUERY_GOODS_DETAIL, "{}");
      const [requestId] = stub.calls[0].metadata.get("x-request-id");
      assert.match(String(requestId), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    });
  });

  describe("errors", () => {
    it("when the server fails with status details, then the HTTP status follows the code and the body is the Status with its ErrorInfo", async () => {
      const cases: [grpc.status, number][] = [
        [grpc.status.NOT_FOUND, 404],
        [grpc.status.INVALID_ARGUMENT, 400],
        [grpc.status.FAILED_PRECONDITION, 400],
        [grpc.status.ALREADY_EXISTS, 409],
        [grpc.status.PERMISSION_DENIED, 403],
        [grpc.status.UNAUTHENTICATED, 401],
        [grpc.status.RESOURCE_EXHAUSTED, 429],
        [grpc.status.UNAVAILABLE, 503],
        [grpc.status.INTERNAL, 500],
      ];
      for (const [code, httpStatus] of cases) {
        const answer = await post(QUERY_GOODS_BY_PERIOD, JSON.stringify({ periodId: `fail-${code}` }));
        assert.equal(answer.status, httpStatus, `code ${code}`);
        assert.equal(answer.headers["content-type"], "application/json");
        assert.deepEqual(answer.json, {
          code,
          message: "The period does not exist.",
          details: [
            {
              "@type": "type.googleapis.com/google.rpc.ErrorInfo",
              reason: "PERIOD_NOT_FOUND",
              domain: "flashsale",
              metadata: { code: "11002002" },
            },
          ],
        });
      }
    });

    it("when the server fails without details, then the body is the plain Status with an empty details list", async () => {
      const answer = await post(QUERY_PERIODS, '{"date":"plain-7"}');
      assert.equal(answer.status, 403);
      assert.deepEqual(answer.json, { code: 7, message: "Plain failure at 10.0.0.7:3306.", details: [] });
    });

    it("when a transport-level code arrives without details, then its message is replaced by a fixed sentence", async () => {
      const answer = await post(QUERY_PERIODS, '{"date":"plain-13"}');
      assert.equal(answer.status, 500);
      assert.deepEqual(answer.json, { code: 13, message: "The service failed unexpectedly.", details: [] });
    });

    it("when the gRPC server is unreachable, then 503 with a Status that names no host", async () => {
      const closedPort = await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const orphan = await serveGateway({ descriptorSet, grpcTarget: `127.0.0.1:${closedPort}` });
      try {
        const answer = await httpCall(orphan.port, { path: QUERY_GOODS_DETAIL, body: "{}" });
        assert.equal(answer.status, 503);
        assert.deepEqual(answer.json, { code: 14, message: "The service is unavailable; retry later.", details: [] });
        assert.doesNotMatch(answer.text, /127\.0\.0\.1|ECONNREFUSED/);
      } finally {
        await orphan.stop();
      }
    });

    it("when the gRPC code is mapped, then the HTTP status is Envoy's", () => {
      const envoyTable: [grpc.status, number][] = [
        [grpc.status.OK, 200],
        [grpc.status.CANCELLED, 499],
        [grpc.status.UNKNOWN, 500],
        [grpc.status.INVALID_ARGUMENT, 400],
        [grpc.status.DEADLINE_EXCEEDED, 504],
        [grpc.status.NOT_FOUND, 404],
        [grpc.status.ALREADY_EXISTS, 409],
        [grpc.status.PERMISSION_DENIED, 403],
        [grpc.status.RESOURCE_EXHAUSTED, 429],
        [grpc.status.FAILED_PRECONDITION, 400],
        [grpc.status.ABORTED, 409],
        [grpc.status.OUT_OF_RANGE, 400],
        [grpc.status.UNIMPLEMENTED, 501],
        [grpc.status.INTERNAL, 500],
        [grpc.status.UNAVAILABLE, 503],
        [grpc.status.DATA_LOSS, 500],
        [grpc.status.UNAUTHENTICATED, 401],
      ];
      assert.equal(envoyTable.length, 17);
      for (const [code, httpStatus] of envoyTable) assert.equal(httpStatusForGrpcCode(code), httpStatus, `code ${code}`);
      assert.equal(httpStatusForGrpcCode(99), 500);
    });
  });
});
