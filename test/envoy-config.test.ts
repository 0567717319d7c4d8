// envoy.yaml is the production JSON gateway. No Envoy binary exists on this
// machine, so this suite checks it offline: the file is walked against
// Envoy's own v3 API protos (shipped by @grpc/grpc-js-xds), the validator is
// shown to reject broken copies, and the transcoder settings are checked
// against the service's descriptor set (gen/flashsale.binpb) and SPEC.md.
// No network, database or Redis is used.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { FileRegistry } from "@bufbuild/protobuf";
import {
  BOOTSTRAP_TYPE,
  HttpBinding,
  httpBindings,
  loadDescriptorSet,
  loadEnvoyApi,
  parseEnvoyYaml,
  validateBootstrap,
} from "./support/envoy-validate";

const REPO = path.resolve(__dirname, "..");
const ENVOY_YAML = path.join(REPO, "envoy.yaml");
const DESCRIPTOR_SET = path.join(REPO, "gen", "flashsale.binpb");

const HCM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const TRANSCODER_TYPE = "type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder";
const ROUTER_TYPE = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
const UPSTREAM_HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

const SERVICES = [
  "flashsale.star.v1.FlashStarService",
  "flashsale.member.v1.CustomerInfoService",
  "flashsale.goods.v1.FlashGoodsService",
  "flashsale.order.v1.FlashOrderService",
  "flashsale.admin.v1.FlashAdminService",
];

// SPEC.md, "The API" table: every JSON path is POST http://HOST:9020/rest<path>.
const SPEC_JSON_PATHS: Array<{ path: string; method: string }> = [
  { path: "/rest/star/flashStarService/queryStar", method: "flashsale.star.v1.FlashStarService.QueryStar" },
  { path: "/rest/star/flashStarService/addStar", method: "flashsale.star.v1.FlashStarService.AddStar" },
  {
    path: "/rest/openx/memberopen/customerInfoService/getCustomerByRefId",
    method: "flashsale.member.v1.CustomerInfoService.GetCustomerByRefId",
  },
  { path: "/rest/goods/flashGoodsService/queryPeriods", method: "flashsale.goods.v1.FlashGoodsService.QueryPeriods" },
  { path: "/rest/goods/flashGoodsService/queryGoodsByPeriod", method: "flashsale.goods.v1.FlashGoodsService.QueryGoodsByPeriod" },
  { path: "/rest/goods/flashGoodsService/queryGoodsDetail", method: "flashsale.goods.v1.FlashGoodsService.QueryGoodsDetail" },
  { path: "/rest/order/flashOrderService/createOrder", method: "flashsale.order.v1.FlashOrderService.CreateOrder" },
  { path: "/rest/order/flashOrderService/queryOrder", method: "flashsale.order.v1.FlashOrderService.QueryOrder" },
  { path: "/rest/order/flashOrderService/queryOrders", method: "flashsale.order.v1.FlashOrderService.QueryOrders" },
  { path: "/rest/order/flashOrderService/cancelOrder", method: "flashsale.order.v1.FlashOrderService.CancelOrder" },
  { path: "/rest/order/flashOrderService/payOrder", method: "flashsale.order.v1.FlashOrderService.PayOrder" },
];

// ---------------------------------------------------------------------------
// Loaded once for the whole file.
// ---------------------------------------------------------------------------

type Obj = Record<string, any>;
let config: Obj;
let registry: FileRegistry;
let bindings: HttpBinding[];

/** Reads a field by its proto name or its lowerCamelCase JSON name. */
function get(obj: Obj | undefined, protoName: string): any {
  if (!obj) return undefined;
  const camel = protoName.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  return obj[protoName] ?? obj[camel];
}

function listener(doc: Obj): Obj {
  const listeners: Obj[] = get(get(doc, "static_resources"), "listeners") ?? [];
  const found = listeners.find((l) => get(get(get(l, "address"), "socket_address"), "port_value") === 9020);
  assert.ok(found, "a listener on port 9020");
  return found;
}

function hcm(doc: Obj): Obj {
  const filters: Obj[] = get(listener(doc), "filter_chains").flatMap((c: Obj) => get(c, "filters") ?? []);
  const found = filters.find((f) => get(f, "typed_config")?.["@type"] === HCM_TYPE);
  assert.ok(found, "an http_connection_manager on the 9020 listener");
  return get(found, "typed_config");
}

function httpFilters(doc: Obj): Obj[] {
  return get(hcm(doc), "http_filters") ?? [];
}

function transcoder(doc: Obj): Obj {
  const found = httpFilters(doc).find((f) => get(f, "typed_config")?.["@type"] === TRANSCODER_TYPE);
  assert.ok(found, "a grpc_json_transcoder http filter");
  return get(found, "typed_config");
}

function cluster(doc: Obj, name: string): Obj {
  const clusters: Obj[] = get(get(doc, "static_resources"), "clusters") ?? [];
  const found = clusters.find((c) => get(c, "name") === name);
  assert.ok(found, `a cluster named ${name}`);
  return found;
}

function routes(doc: Obj): Obj[] {
  const hosts: Obj[] = get(get(hcm(doc), "route_config"), "virtual_hosts") ?? [];
  const host = hosts.find((h) => (get(h, "domains") ?? []).includes("*"));
  assert.ok(host, "a virtual host for every domain");
  return get(host, "routes") ?? [];
}

/** Envoy's Grpc::Common::hasGrpcContentType. */
function isGrpcContentType(contentType: string): boolean {
  return contentType === "application/grpc" || /^application\/grpc[+;]/.test(contentType);
}

/** First route whose match accepts the request (the subset of RouteMatch this file uses). */
function routeFor(doc: Obj, req: { path: string; contentType: string }): Obj | undefined {
  for (const r of routes(doc)) {
    const m = get(r, "match") ?? {};
    const known = new Set(["prefix", "path", "grpc"]);
    for (const k of Object.keys(m)) assert.ok(known.has(k), `routeFor() does not model RouteMatch.${k}`);
    if (m.prefix !== undefined && !req.path.startsWith(m.prefix)) continue;
    if (m.path !== undefined && req.path !== m.path) continue;
    if (m.grpc !== undefined && !isGrpcContentType(req.contentType)) continue;
    return r;
  }
  return undefined;
}

/**
 * What the transcoder does with a request, per Envoy's JsonTranscoderFilter::
 * decodeHeaders: application/grpc requests pass through untouched (checked
 * before any lookup); others are transcoded when verb+path match an
 * annotation; otherwise 404 when reject_unknown_method, else passed through.
 */
function transcoderDecision(doc: Obj, req: { verb: string; path: string; contentType: string }): string {
  if (isGrpcContentType(req.contentType)) return "pass-through";
  const hit = bindings.find((b) => b.verb === req.verb && b.path === req.path.split("?")[0]);
  const services: string[] = get(transcoder(doc), "services") ?? [];
  if (hit && services.some((s) => hit.method.startsWith(`${s}.`))) return `transcode:${hit.method}`;
  return get(get(transcoder(doc), "request_validation_options"), "reject_unknown_method") === true ? "404" : "pass-through";
}

function expectRejected(mutate: (doc: Obj) => void, pattern: RegExp): string[] {
  const copy = structuredClone(config);
  mutate(copy);
  const errors = validateBootstrap(copy);
  assert.ok(
    errors.some((e) => pattern.test(e)),
    `expected an error matching ${pattern}, got:\n  ${errors.join("\n  ") || "(none)"}`,
  );
  return errors;
}

describe("envoy.yaml", function () {
  before(function () {
    loadEnvoyApi(); // ~0.5 s, cached for every test below
    config = parseEnvoyYaml(fs.readFileSync(ENVOY_YAML, "utf8")) as Obj;
    registry = loadDescriptorSet(DESCRIPTOR_SET);
    bindings = httpBindings(registry);
  });

  describe("validated against Envoy's v3 API protos", function () {
    it(`when envoy.yaml is walked as ${BOOTSTRAP_TYPE}, then it has no unknown field, bad type, bad enum, unresolved @type, deprecated field or PGV violation`, function () {
      const errors = validateBootstrap(config);
      assert.deepEqual(errors, [], `envoy.yaml problems:\n  ${errors.join("\n  ")}`);
    });

    it("when the protos are loaded, then the bootstrap, the transcoder and every @type envoy.yaml names are known", function () {
      const { root } = loadEnvoyApi();
      const used = JSON.stringify(config).match(/type\.googleapis\.com\/[\w.]+/g) ?? [];
      assert.ok(used.length >= 5);
      for (const url of [...used, `x/${BOOTSTRAP_TYPE}`]) {
        assert.ok(root.lookupType(url.slice(url.lastIndexOf("/") + 1)), url);
      }
    });

    it("when a key is written in lowerCamelCase instead of snake_case, then it is accepted like Envoy's JSON loader does", function () {
      const copy = structuredClone(config);
      const h = hcm(copy);
      h.statPrefix = h.stat_prefix;
      delete h.stat_prefix;
      copy.staticResources = copy.static_resources;
      delete copy.static_resources;
      assert.deepEqual(validateBootstrap(copy), []);
    });
  });

  describe("the validator has teeth", function () {
    it("when an unknown field is added to the listener, then it is rejected", function () {
      expectRejected((d) => (listener(d).bind_to_everything = true), /unknown field "bind_to_everything" in envoy\.config\.listener\.v3\.Listener/);
    });

    it("when an unknown field is added inside a typed_config, then it is rejected (Any contents are walked)", function () {
      expectRejected((d) => (transcoder(d).convert_grpc_statuses = true), /unknown field "convert_grpc_statuses" in envoy\.extensions\.filters\.http\.grpc_json_transcoder\.v3\.GrpcJsonTranscoder/);
    });

    it("when codec_type is not a known enum value, then it is rejected", function () {
      expectRejected((d) => (hcm(d).codec_type = "HTTP5"), /"HTTP5" is not a value of enum .*CodecType/);
    });

    it("when a typed_config @type does not resolve to a loaded type, then it is rejected", function () {
      expectRejected(
        (d) => (get(httpFilters(d).at(-1), "typed_config")["@type"] = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Routr"),
        /does not resolve to a loaded message type/,
      );
    });

    it("when a typed_config names a v2 type (not v3), then it is rejected", function () {
      expectRejected(
        (d) => (get(httpFilters(d).at(-1), "typed_config")["@type"] = "type.googleapis.com/envoy.config.filter.http.router.v2.Router"),
        /does not resolve to a loaded message type/,
      );
    });

    it("when a typed_config has no @type, then it is rejected", function () {
      expectRejected((d) => delete get(httpFilters(d).at(-1), "typed_config")["@type"], /must carry a string "@type"/);
    });

    it("when the cluster uses the deprecated http2_protocol_options field, then it is rejected", function () {
      expectRejected((d) => (cluster(d, "flashsale_grpc").http2_protocol_options = {}), /envoy\.config\.cluster\.v3\.Cluster\.http2_protocol_options is deprecated/);
    });

    it("when a route uses the deprecated max_grpc_timeout inside the HCM typed_config, then it is rejected", function () {
      expectRejected((d) => (get(routes(d)[0], "route").max_grpc_timeout = "5s"), /RouteAction\.max_grpc_timeout is deprecated/);
    });

    it("when a scalar has the wrong type, then it is rejected", function () {
      expectRejected((d) => (get(get(listener(d), "address"), "socket_address").port_value = "ninety"), /expected an integer \(uint32\)/);
      expectRejected((d) => (get(get(listener(d), "address"), "socket_address").port_value = 70000), /must be <= 65535/);
      expectRejected((d) => (hcm(d).stat_prefix = 42), /stat_prefix: expected a string/);
    });

    it("when a Duration is not written like \"5s\", then it is rejected", function () {
      expectRejected((d) => (cluster(d, "flashsale_grpc").connect_timeout = "1 second"), /is not a Duration/);
      expectRejected((d) => (cluster(d, "flashsale_grpc").connect_timeout = 1), /a Duration must be a string/);
    });

    it("when a required field is missing or two members of a oneof are set, then it is rejected", function () {
      expectRejected((d) => delete get(cluster(d, "flashsale_grpc"), "health_checks")[0].timeout, /HealthCheck\.timeout is required/);
      expectRejected((d) => (get(routes(d)[0], "match").path = "/rest/x"), /oneof .*RouteMatch\.path_specifier has more than one member set/);
      expectRejected((d) => (hcm(d).statPrefix = "again"), /is set twice/);
    });
  });

  describe("listener, filters, cluster and admin", function () {
    it("when the listener is read, then it binds 0.0.0.0:9020 with an http_connection_manager using codec AUTO", function () {
      const address = get(get(listener(config), "address"), "socket_address");
      assert.equal(get(address, "address"), "0.0.0.0");
      assert.equal(get(address, "port_value"), 9020);
      assert.equal(get(hcm(config), "codec_type"), "AUTO");
    });

    it("when the http filters are read, then the transcoder comes first and the router is last with its typed_config", function () {
      const filters = httpFilters(config);
      assert.equal(get(filters[0], "name"), "envoy.filters.http.grpc_json_transcoder");
      assert.equal(get(filters[0], "typed_config")["@type"], TRANSCODER_TYPE);
      const last = filters[filters.length - 1];
      assert.equal(get(last, "name"), "envoy.filters.http.router");
      assert.equal(get(last, "typed_config")?.["@type"], ROUTER_TYPE);
    });

    it("when the transcoder is read, then it converts gRPC status, prints as the API contract says, rejects unknown methods and caps bodies at 1 MiB", function () {
      const t = transcoder(config);
      assert.equal(get(t, "convert_grpc_status"), true);
      assert.deepEqual([...get(t, "services")].sort(), [...SERVICES].sort());
      const print = get(t, "print_options");
      assert.equal(get(print, "always_print_primitive_fields"), true);
      assert.notEqual(get(print, "always_print_enums_as_ints"), true);
      assert.notEqual(get(print, "preserve_proto_field_names"), true);
      assert.equal(get(get(t, "request_validation_options"), "reject_unknown_method"), true);
      assert.equal(get(t, "match_incoming_request_route"), true);
      assert.equal(Number(get(t, "max_request_body_size")), 1024 * 1024);
      // auto_mapping would give FlashAdminService a JSON path; it must stay off.
      assert.notEqual(get(t, "auto_mapping"), true);
      assert.equal(path.basename(get(t, "proto_descriptor")), path.basename(DESCRIPTOR_SET));
    });

    it("when the cluster is read, then it speaks HTTP/2 through typed_extension_protocol_options, is gRPC health-checked and points at 127.0.0.1:9090", function () {
      const c = cluster(config, "flashsale_grpc");
      assert.equal(get(c, "http2_protocol_options"), undefined);
      const opts = get(c, "typed_extension_protocol_options")?.[UPSTREAM_HTTP_OPTIONS];
      assert.equal(opts?.["@type"], `type.googleapis.com/${UPSTREAM_HTTP_OPTIONS}`);
      assert.ok(get(get(opts, "explicit_http_config"), "http2_protocol_options"), "explicit HTTP/2 upstream");
      const checks: Obj[] = get(c, "health_checks") ?? [];
      assert.ok(checks.some((h) => get(h, "grpc_health_check") !== undefined), "a grpc_health_check");
      const endpoints = get(get(c, "load_assignment"), "endpoints").flatMap((e: Obj) => get(e, "lb_endpoints"));
      const addresses = endpoints.map((e: Obj) => get(get(get(e, "endpoint"), "address"), "socket_address"));
      assert.deepEqual(addresses.map((a: Obj) => `${get(a, "address")}:${get(a, "port_value")}`), ["127.0.0.1:9090"]);
    });

    it("when the admin interface is read, then it is bound to 127.0.0.1 only", function () {
      assert.equal(get(get(get(config, "admin"), "address"), "socket_address").address, "127.0.0.1");
    });

    it("when every route is read, then each goes to flashsale_grpc with a timeout", function () {
      const all = routes(config);
      assert.ok(all.length > 0);
      for (const r of all) {
        assert.equal(get(get(r, "route"), "cluster"), "flashsale_grpc", JSON.stringify(r));
        assert.match(String(get(get(r, "route"), "timeout")), /^\d+(\.\d+)?s$/, JSON.stringify(r));
      }
    });
  });

  describe("requests through the configured filters and routes", function () {
    it("when a JSON POST arrives on a SPEC path, then the transcoder maps it and the /rest route sends it to flashsale_grpc", function () {
      for (const { path: p, method } of SPEC_JSON_PATHS) {
        const req = { verb: "POST", path: p, contentType: "application/json" };
        assert.equal(transcoderDecision(config, req), `transcode:${method}`);
        // match_incoming_request_route: routed by the original /rest path.
        assert.equal(get(get(routeFor(config, req), "route"), "cluster"), "flashsale_grpc", p);
      }
    });

    it("when a JSON request has an unknown path or the wrong verb, then reject_unknown_method answers 404", function () {
      assert.equal(transcoderDecision(config, { verb: "POST", path: "/rest/order/flashOrderService/nope", contentType: "application/json" }), "404");
      assert.equal(transcoderDecision(config, { verb: "GET", path: "/rest/star/flashStarService/queryStar", contentType: "application/json" }), "404");
      assert.equal(
        transcoderDecision(config, { verb: "POST", path: "/flashsale.admin.v1.FlashAdminService/CreatePeriod", contentType: "application/json" }),
        "404",
      );
    });

    it("when native gRPC health, reflection or admin calls arrive, then reject_unknown_method does not touch them and a route sends them to flashsale_grpc", function () {
      for (const p of [
        "/grpc.health.v1.Health/Check",
        "/grpc.health.v1.Health/Watch",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "/flashsale.admin.v1.FlashAdminService/CreatePeriod",
        "/flashsale.order.v1.FlashOrderService/CreateOrder",
      ]) {
        for (const contentType of ["application/grpc", "application/grpc+proto"]) {
          const req = { verb: "POST", path: p, contentType };
          assert.equal(transcoderDecision(config, req), "pass-through", p);
          assert.equal(get(get(routeFor(config, req), "route"), "cluster"), "flashsale_grpc", p);
        }
      }
    });

    it("when a plain HTTP request is neither gRPC nor under /rest/, then no route matches (404)", function () {
      assert.equal(routeFor(config, { path: "/grpc.health.v1.Health/Check", contentType: "application/json" }), undefined);
      assert.equal(routeFor(config, { path: "/", contentType: "text/html" }), undefined);
    });
  });

  describe("against the service's descriptor set and SPEC.md", function () {
    it("when gen/flashsale.binpb is decoded, then every service named in the transcoder config exists in it", function () {
      for (const s of get(transcoder(config), "services") as string[]) {
        assert.ok(registry.getService(s), `service ${s} is missing from gen/flashsale.binpb`);
      }
    });

    it("when gen/flashsale.binpb is decoded, then it carries google.rpc.Status and ErrorInfo for convert_grpc_status", function () {
      assert.ok(registry.getMessage("google.rpc.Status"));
      assert.ok(registry.getMessage("google.rpc.ErrorInfo"));
    });

    it("when every google.api.http annotation is read, then it is a POST under /rest/ with body \"*\" on a transcoded service", function () {
      assert.ok(bindings.length > 0);
      const services: string[] = get(transcoder(config), "services");
      for (const b of bindings) {
        assert.ok(b.path.startsWith("/rest/"), `${b.method}: ${b.path} is not under /rest/`);
        assert.equal(b.verb, "POST", b.method);
        assert.equal(b.body, "*", b.method);
        assert.ok(services.some((s) => b.method.startsWith(`${s}.`)), `${b.method} has a JSON path but its service is not transcoded`);
      }
      const paths = bindings.map((b) => `${b.verb} ${b.path}`);
      assert.equal(new Set(paths).size, paths.length, "duplicate JSON paths");
    });

    it("when SPEC.md's JSON paths are looked up, then each one is annotated on the method SPEC.md names", function () {
      for (const { path: p, method } of SPEC_JSON_PATHS) {
        const hit = bindings.filter((b) => b.path === p);
        assert.deepEqual(hit.map((b) => `${b.verb} ${b.method}`), [`POST ${method}`], p);
      }
    });

    it("when FlashAdminService is read, then none of its methods has a JSON path (native gRPC only)", function () {
      assert.ok(registry.getService("flashsale.admin.v1.FlashAdminService"));
      assert.deepEqual(bindings.filter((b) => b.method.startsWith("flashsale.admin.v1.")), []);
    });
  });
});
