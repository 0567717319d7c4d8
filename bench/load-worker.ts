import * as grpc from "@grpc/grpc-js";
import * as hdr from "hdr-histogram-js";
import http from "node:http";
import { readFileSync } from "node:fs";
import { FlashGoodsServiceClient } from "../gen/flashsale/goods/v1/flash_goods_service";
import { FlashOrderServiceClient } from "../gen/flashsale/order/v1/flash_order_service";
import { HealthCheckRequest, HealthClient } from "./health-client";
import { newHistogram } from "./histogram";

/**
 * One load process: runs `count` calls at a fixed concurrency over several
 * gRPC channels (or HTTP keep-alive sockets), records each latency in an HDR
 * histogram, and prints one JSON result. Started by bench/run.ts.
 */
export interface LoadJob {
  kind: "health" | "order" | "detail" | "byPeriod" | "httpDetail" | "httpByPeriod";
  grpcAddress: string;
  httpPort?: number;
  concurrency: number;
  channels: number;
  count: number;
  /** order: attempt i is member `${memberPrefix}${(i * 7919 + offset) % members}` with requestId `${requestPrefix}${offset + i}` */
  goodsId?: string;
  periodId?: string;
  memberPrefix?: string;
  members?: number;
  offset?: number;
  requestPrefix?: string;
}

export interface LoadResult {
  calls: number;
  ok: number;
  errors: Record<string, number>;
  durationMs: number;
  /** This process's CPU time (user + system) while it made the calls. */
  cpuMs: number;
  histogram: string;
  /** OK orders: [orderId, customerCode, quantity]. */
  orders: [string, string, number][];
}

function channelOptions(i: number): grpc.ChannelOptions {
  // A distinct option per channel so grpc-js does not share one subchannel.
  return { "grpc.primary_user_agent": `bench-${i}`, "grpc.max_concurrent_streams": 1000 };
}

async function main() {
  // The load generator records codes, not stacks: grpc-js builds an Error with
  // the call site's stack for every failed call, which would make the client,
  // not the server, the limit of the rejection-heavy crowd scenario.
  Error.stackTraceLimit = 0;
  const job = JSON.parse(readFileSync(process.argv[2], "utf8")) as LoadJob;
  const creds = grpc.credentials.createInsecure();
  const histogram = newHistogram();
  const errors: Record<string, number> = {};
  const orders: [string, string, number][] = [];
  let ok = 0;

  const channels = Array.from({ length: job.channels }, (_, i) => i);
  const health = channels.map((i) => new HealthClient(job.grpcAddress, creds, channelOptions(i)));
  const orderClients = channels.map((i) => new FlashOrderServiceClient(job.grpcAddress, creds, channelOptions(i)));
  const goodsClients = channels.map((i) => new FlashGoodsServiceClient(job.grpcAddress, creds, channelOptions(i)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });

  const unary = <T>(fn: (cb: (err: grpc.ServiceError | null, res: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));

  const httpPost = (path: string, body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port: job.httpPort, path, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(Object.assign(new Error("http"), { code: res.statusCode }))));
      });
      req.on("error", reject);
      req.end(body);
    });

  const deadline = () => ({ deadline: Date.now() + 30_000 });
  const warmUpCalls = 3000;
  const call = async (i: number): Promise<void> => {
    const c = i % job.channels;
    switch (job.kind) {
      case "health":
        await unary((cb) => health[c].check(HealthCheckRequest.fromPartial({}), new grpc.Metadata(), deadline(), cb));
        return;
      case "order": {
        const offset = job.offset ?? 0;
        const customerCode = `${job.memberPrefix}${((i + offset) * 7919) % job.members!}`;
        const res = await unary<any>((cb) =>
          orderClients[c].createOrder({ customerCode, flashGoodsId: job.goodsId!, requestId: `${job.requestPrefix}${offset + i}`, quantity: 1 }, new grpc.Metadata(), deadline(), cb),
        );
        orders.push([res.order.orderId, customerCode, res.order.quantity]);
        return;
      }
      case "detail":
        await unary((cb) => goodsClients[c].queryGoodsDetail({ flashGoodsId: job.goodsId! }, new grpc.Metadata(), deadline(), cb));
        return;
      case "byPeriod":
        await unary((cb) => goodsClients[c].queryGoodsByPeriod({ periodId: job.periodId!, pageNo: 1, pageSize: 20 }, new grpc.Metadata(), deadline(), cb));
        return;
      case "httpDetail":
        await httpPost("/rest/goods/flashGoodsService/queryGoodsDetail", JSON.stringify({ flashGoodsId: job.goodsId }));
        return;
      case "httpByPeriod":
        await httpPost("/rest/goods/flashGoodsService/queryGoodsByPeriod", JSON.stringify({ periodId: job.periodId, pageNo: 1, pageSize: 20 }));
        return;
    }
  };

  // Connect every channel and warm this process's client (JIT, HTTP/2
  // windows) at full concurrency, then wait for the parent's "go" so all load
  // processes start together. Measured: with a short warm-up a 10,000-call
  // run was 20-30 % slower than a 20,000-call one, so run length, not the
  // service, decided a scenario's rate.
  const all = [...health, ...orderClients, ...goodsClients];
  await Promise.all(all.map((c) => new Promise<void>((resolve, reject) => c.waitForReady(Date.now() + 10_000, (e) => (e ? reject(e) : resolve())))));
  let warmed = 0;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      for (let i = warmed++; i < warmUpCalls; i = warmed++) {
        await unary((cb) => health[i % job.channels].check(HealthCheckRequest.fromPartial({}), new grpc.Metadata(), deadline(), cb));
      }
    }),
  );
  process.stderr.write("ready\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  process.stdin.destroy();

  let next = 0;
  const started = process.hrtime.bigint();
  const cpuAtStart = process.cpuUsage();
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= job.count) return;
      const t0 = process.hrtime.bigint();
      try {
        await call(i);
        ok++;
      } catch (err) {
        const e = err as grpc.ServiceError & { code?: number };
        const key = e.details && /^[A-Z_]+$/.test(e.details) ? e.details : reasonOf(e) ?? `code ${e.code}`;
        errors[key] = (errors[key] ?? 0) + 1;
      }
      histogram.recordValue(Number((process.hrtime.bigint() - t0) / 1000n));
    }
  }
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuAtStart);
  const result: LoadResult = { calls: job.count, ok, errors, durationMs, cpuMs: (cpu.user + cpu.system) / 1000, histogram: hdr.encodeIntoCompressedBase64(histogram), orders };
  for (const c of all) c.close();
  agent.destroy();
  process.stdout.write(JSON.stringify(result), () => process.exit(0));
}

/** The ErrorInfo reason if the status carries one (cheap scan of the details trailer). */
function reasonOf(err: grpc.ServiceError): string | undefined {
  const bin = err.metadata?.get("grpc-status-details-bin")[0];
  if (!bin) return undefined;
  const m = /([A-Z][A-Z_]{3,})/.exec(Buffer.from(bin as Buffer).toString("latin1"));
  return m?.[1];
}

void main();
