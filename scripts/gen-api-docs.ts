/**
 * Writes docs/api.md: every RPC in the seed document's format (名称 / 类型 /
 * 是否必须 / 描述 tables, JSON path and gRPC name), from the descriptor set's
 * fields and comments, with request and response JSON captured from the
 * running service (embedded default, fresh database, a small fixed sale).
 * Volatile values (ids, times) are replaced by stable placeholders so the
 * file regenerates identically; CI checks it is fresh.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileRegistry, fromBinary, type DescField, type DescMessage, type DescMethod } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { descriptorSetPath, startService } from "../src/app";
import { routesFromAnnotations } from "../src/gateway/descriptor-routes";
import { loadConfig } from "../src/platform/config";
import { createLogger } from "../src/platform/logger";
import { isoDay } from "../src/platform/time";

const root = join(__dirname, "..");
const set = fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath));
const registry = createFileRegistry(set);
const jsonPaths = new Map([...routesFromAnnotations(registry).values()].map((r) => [r.grpcPath, r.path]));

/** Leading comments by file and source path, from the descriptor set's source info. */
function commentsOf(file: FileDescriptorProto): Map<string, string> {
  const out = new Map<string, string>();
  for (const loc of file.sourceCodeInfo?.location ?? []) {
    if (loc.leadingComments) out.set(loc.path.join("."), loc.leadingComments.trim().replace(/\s*\n\s*/g, " "));
  }
  return out;
}
const comments = new Map(set.file.map((f) => [f.name, commentsOf(f)]));

function messageComment(m: DescMessage, field?: DescField): string {
  const file = m.file.proto;
  const index = file.messageType.indexOf(m.proto);
  const path = field ? `4.${index}.2.${m.proto.field.indexOf(field.proto)}` : `4.${index}`;
  return comments.get(file.name)?.get(path) ?? "";
}

function methodComment(method: DescMethod): string {
  const file = method.parent.file.proto;
  const s = file.service.indexOf(method.parent.proto);
  return comments.get(file.name)?.get(`6.${s}.2.${method.parent.proto.method.indexOf(method.proto)}`) ?? "";
}

function jsonType(f: DescField): string {
  const base = (() => {
    if (f.fieldKind === "message") return "object";
    if (f.fieldKind === "enum") return "string (enum)";
    if (f.fieldKind === "list") return `array<${f.listKind === "message" ? "object" : f.listKind === "enum" ? "string" : scalarName(f.scalar)}>`;
    if (f.fieldKind === "map") return "object";
    return scalarName(f.scalar);
  })();
  return base;
}

function scalarName(scalar: number | undefined): string {
  // 9 string, 8 bool, 12 bytes; every other scalar we use is a JSON number.
  if (scalar === 9) return "string";
  if (scalar === 8) return "boolean";
  if (scalar === 12) return "string (base64)";
  return "number";
}

function fieldTable(m: DescMessage, prefix = ""): string[] {
  const rows: string[] = [];
  for (const f of m.fields) {
    const text = messageComment(m, f);
    const required = /^Required\./.test(text) ? "是" : "否";
    rows.push(`|${prefix}${f.jsonName}|${jsonType(f)}|${required}|${text.replace(/^(Required|Optional)\.\s*/, "").replace(/\|/g, "\\|")}|`);
    if (f.message && (f.fieldKind === "message" || f.fieldKind === "list") && !prefix.includes(".")) {
      rows.push(...fieldTable(f.message, `${prefix}${f.jsonName}${f.fieldKind === "list" ? "[i]" : ""}.`));
    }
  }
  return rows;
}

/** Ids and times made by the service, replaced in order of first appearance so the file is stable. */
function stabilise(examples: unknown[]): void {
  const ids = new Map<string, string>();
  const base = 1767232800000; // 2026-01-01 10:00 Asia/Shanghai
  let first: number | undefined;
  const visit = (v: unknown, key = ""): unknown => {
    if (typeof v === "string" && /^[0-9a-f]{24}$/.test(v) && !v.startsWith("598bc0f5")) {
      if (!ids.has(v)) ids.set(v, `65a1b2c3${String(ids.size + 1).padStart(16, "0")}`);
      return ids.get(v);
    }
    if (typeof v === "string" && key === "date") return "2026-01-01";
    if (typeof v === "number" && /Time$|Deadline$/.test(key) && v > 0) {
      // Keep the real gaps (a period's hour, the 15-minute pay window), to the minute.
      first ??= v;
      return base + Math.round((v - first) / 60_000) * 60_000;
    }
    if (Array.isArray(v)) return v.map((x) => visit(x, key));
    if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) (v as Record<string, unknown>)[k] = visit(x, k);
    }
    return v;
  };
  examples.forEach((e) => visit(e));
}

async function captureExamples() {
  const dir = mkdtempSync(join(tmpdir(), "flash-sale-docs-"));
  const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, "docs.sqlite")}`, GRPC_PORT: "0", HTTP_PORT: "0", DEMO_DATA: "never", READ_CACHE_MS: "0", RATE_LIMIT_PER_SECOND: "0", ACCESS_LOG: "off" });
  const service = await startService(config, createLogger("error"));
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as any };
  };
  const { FlashAdminServiceClient } = await import("../gen/flashsale/admin/v1/flash_admin_service");
  const grpc = await import("@grpc/grpc-js");
  const admin = new FlashAdminServiceClient(`127.0.0.1:${service.grpcPort}`, grpc.credentials.createInsecure());
  const call = <T>(fn: (cb: (err: unknown, res: T) => void) => void) => new Promise<T>((ok, fail) => fn((e, r) => (e ? fail(e) : ok(r))));
  const now = Date.now();
  const buyer = "598bc0f542559b20787e62e6";
  const friend = "598bc0f542559b20787e62e7";
  const examples = new Map<string, { request: unknown; response: unknown }>();
  try {
    for (const [id, name, openid] of [[buyer, "李四", "oDemoOpenid0001"], [friend, "王芳", "oDemoOpenid0002"]]) {
      await call((cb) => admin.upsertCustomer({ customerId: id, name, cardCode: "W123456985", mobile: "13725579628", birthday: 631152000000, sex: "男", status: "EFC", refs: [{ comeFrom: "WECHAT", relateFrom: "MINIPG", refId: openid, refId2: `${openid}-union` }] }, cb));
    }
    const { period } = await call<any>((cb) => admin.createPeriod({ title: "10:00场", startTime: now - 3_600_000, endTime: now + 3_600_000 }, cb));
    const { goods } = await call<any>((cb) =>
      admin.createFlashGoods({ periodId: period.id, goodsCode: "G1001", name: "五常大米 5kg", image: "https://img.example.com/flash/G1001.jpg", description: "五常大米 5kg，限时抢购，售完即止。", images: ["https://img.example.com/flash/G1001-1.jpg"], originalPrice: 8900, flashPrice: 3990, totalStock: 100, limitPerCustomer: 2, starsRequired: 0 }, cb),
    );
    const capture = async (grpcPath: string, request: unknown) => {
      const res = await post(jsonPaths.get(grpcPath)!, request);
      examples.set(grpcPath, { request, response: res.json });
      return res.json;
    };
    const S = "/flashsale.star.v1.FlashStarService/";
    const M = "/flashsale.member.v1.CustomerInfoService/";
    const G = "/flashsale.goods.v1.FlashGoodsService/";
    const O = "/flashsale.order.v1.FlashOrderService/";
    await capture(`${S}AddStar`, { flashGoodsId: goods.flashGoodsId, starSource: friend, starTarget: buyer, starHeadImg: "https://img.example.com/head/oDemoOpenid0002.png" });
    await capture(`${S}QueryStar`, { flashGoodsId: goods.flashGoodsId, customerCode: buyer, pageNo: 1, pageSize: 10 });
    await capture(`${M}GetCustomerByRefId`, { comeFrom: "WECHAT", relateFrom: "MINIPG", refId: "oDemoOpenid0001", refId2: "oDemoOpenid0001-union" });
    await capture(`${G}QueryPeriods`, { date: isoDay(period.startTime, config.saleTimeZone) });
    await capture(`${G}QueryGoodsByPeriod`, { periodId: period.id, pageNo: 1, pageSize: 10 });
    await capture(`${G}QueryGoodsDetail`, { flashGoodsId: goods.flashGoodsId });
    const created = await capture(`${O}CreateOrder`, { customerCode: buyer, flashGoodsId: goods.flashGoodsId, quantity: 1, requestId: "7c9e6679-7425-40de-944b-e07fc1f90ae7" });
    await capture(`${O}QueryOrder`, { orderId: created.order.orderId, customerCode: buyer });
    await capture(`${O}PayOrder`, { orderId: created.order.orderId, paymentNo: "WX4200001234202601010000000001" });
    await capture(`${O}QueryOrders`, { customerCode: buyer, pageNo: 1, pageSize: 10 });
    const second = await post(jsonPaths.get(`${O}CreateOrder`)!, { customerCode: friend, flashGoodsId: goods.flashGoodsId, requestId: "f47ac10b-58cc-4372-a567-0e02b2c3d479" });
    await capture(`${O}CancelOrder`, { orderId: second.json.order.orderId, customerCode: friend });
    const error = await post(jsonPaths.get(`${G}QueryGoodsDetail`)!, { flashGoodsId: "nope" });
    examples.set("error", { request: { flashGoodsId: "nope" }, response: { httpStatus: error.status, ...error.json } });
  } finally {
    admin.close();
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  stabilise([...examples.values()]);
  return examples;
}

async function main() {
  const examples = await captureExamples();
  const lines = [
    "# 限时抢购 API",
    "",
    "Generated by `npm run docs` from `proto/` (field tables and comments) and from the running service (examples: a fresh embedded database with one period, one goods and two members; ids and times replaced by stable placeholders). Do not edit by hand.",
    "",
    "Every JSON path is `POST http://HOST:9020/rest<path>` with a JSON body; every RPC is also native gRPC on the same host (Envoy) or on `GRPC_PORT` (development). Errors are `google.rpc.Status` JSON with one `google.rpc.ErrorInfo` (`reason`, `domain` \"flashsale\", `metadata.code` = 8-digit business code); see the README's error table.",
    "",
  ];
  // The seed document's order: star, member, goods, order; then operations.
  const order = ["star", "member", "goods", "order", "admin"];
  const services = [...registry.files]
    .filter((f) => f.proto.name.startsWith("flashsale/"))
    .flatMap((f) => f.services)
    .sort((a, b) => order.indexOf(a.typeName.split(".")[1]) - order.indexOf(b.typeName.split(".")[1]));
  {
    for (const service of services) {
      const file = service.file;
      lines.push(`## ${service.typeName}`, "", comments.get(file.proto.name)?.get(`6.${file.proto.service.indexOf(service.proto)}`) ?? "", "");
      for (const method of service.methods) {
        const grpcPath = `/${service.typeName}/${method.name}`;
        const jsonPath = jsonPaths.get(grpcPath);
        lines.push(`### ${method.name}`, "");
        lines.push(`> ${methodComment(method)}`, "");
        lines.push(`- **接口地址：** ${jsonPath ? `\`POST /rest${jsonPath.replace(/^\/rest/, "")}\`` : "gRPC only (operations; no JSON path)"}`);
        lines.push(`- **gRPC：** \`${service.typeName}/${method.name}\``, "");
        lines.push("- **请求参数**", "", "|名称|类型|是否必须|描述|", "|:----|:----:|:----:|:----|", ...fieldTable(method.input), "");
        lines.push("- **响应结果**", "", "|名称|类型|是否必须|描述|", "|:----|:----:|:----:|:----|", ...fieldTable(method.output), "");
        const ex = examples.get(grpcPath);
        if (ex) {
          lines.push("入参示例:", "```json", JSON.stringify(ex.request, null, 2), "```", "", "返回结果:", "```json", JSON.stringify(ex.response, null, 2), "```", "");
        }
      }
    }
  }
  const error = examples.get("error")!;
  lines.push("## 异常示例", "", "`POST /rest/goods/flashGoodsService/queryGoodsDetail` with an unknown id:", "", "```json", JSON.stringify(error.request, null, 2), "```", "", "```json", JSON.stringify(error.response, null, 2), "```", "");
  writeFileSync(join(root, "docs", "api.md"), lines.join("\n"));
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
