import * as grpc from "@grpc/grpc-js";
import * as hdr from "hdr-histogram-js";
import http from "node:http";
import { readFileSync } from "node:fs";
import { FlashGoodsServiceClient } from "../gen/flashsale/goods/v1/flash_goods_service";
import { FlashOrderServiceClient } from "../gen/flashsale/order/v1/flash_order_service";
import { HealthCheckRequest, HealthClient } from "./health-client";
import { newHistogram } from "./histogram";

/**
 * One load process, kept for the whole run: connects its channels (or HTTP
 * keep-alive sockets) and warms its client once, then runs the jobs the
 * parent writes to its stdin, one JSON line each, and answers each with one
 * JSON line on stdout: `count` calls at a fixed concurrency, every latency in
 * an HDR histogram. Started by bench/run.ts; it exits when stdin closes.
 */
export interface LoadTarget {
  grpcAddress: string;
  httpPort?: number;
  concurrency: number;
  channels: number;
}

export interface LoadJob {
  kind: "health" | "order" | "detail" | "byPeriod" | "httpDetail" | "httpByPeriod";
  count: number;
  /** order: attempt i is member `${memberPrefix}${((i + offset) * 7919) % members}` with requestId `${requestPrefix}${offset + i}` */
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
  /**
   * The steady window, at full concurrency: from the moment the first
   * `concurrency` calls have completed (every slot has turned over once) to
   * the moment the last call is issued (after it, fewer are in flight), and
   * the calls completed within it. The fill and drain at either end are left
   * out: a scenario whose calls take longer fills more slowly, which says
   * nothing about its rate. The whole job when it is too short to have one.
   */
  steadyMs: number;
  steadyCalls: number;
  /** This process's CPU time (user + system) while it made the calls. */
  cpuMs: number;
  histogram: string;
  /** The orderId of every OK order (the run checks each was committed): only the id is kept per call, so the load process retains as little as it can. */
  orderIds: string[];
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
  const target = JSON.parse(readFileSync(process.argv[2], "utf8")) as LoadTarget;
  const creds = grpc.credentials.createInsecure();

  const channels = Array.from({ length: target.channels }, (_, i) => i);
  const health = channels.map((i) => new HealthClient(target.grpcAddress, creds, channelOptions(i)));
  const orderClients = channels.map((i) => new FlashOrderServiceClient(target.grpcAddress, creds, channelOptions(i)));
  const goodsClients = channels.map((i) => new FlashGoodsServiceClient(target.grpcAddress, creds, channelOptions(i)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: target.concurrency });

  const unary = <T>(fn: (cb: (err: grpc.ServiceError | null, res: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));

  const httpPost = (path: string, body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port: target.httpPort, path, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(Object.assign(new Error("http"), { code: res.statusCode }))));
      });
      req.on("error", reject);
      req.end(body);
    });

  const deadline = () => ({ deadline: Date.now() + 30_000 });

  /** Runs one job: its calls spread over the channels at the target's concurrency. */
  async function run(job: LoadJob): Promise<LoadResult> {
    const histogram = newHistogram();
    const errors: Record<string, number> = {};
    const orderIds: string[] = [];
    const offset = job.offset ?? 0;
    let ok = 0;
    const call = async (i: number): Promise<void> => {
      const c = i % target.channels;
      switch (job.kind) {
        case "health":
          await unary((cb) => health[c].check(HealthCheckRequest.fromPartial({}), new grpc.Metadata(), deadline(), cb));
          return;
        case "order": {
          const customerCode = `${job.memberPrefix}${((i + offset) * 7919) % job.members!}`;
          const res = await unary<any>((cb) =>
            orderClients[c].createOrder({ customerCode, flashGoodsId: job.goodsId!, requestId: `${job.requestPrefix}${offset + i}`, quantity: 1 }, new grpc.Metadata(), deadline(), cb),
          );
          orderIds.push(res.order.orderId);
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
    let next = 0;
    let completed = 0;
    let fullAt: bigint | undefined;
    let lastIssuedAt: bigint | undefined;
    let completedAtLastIssue = 0;
    const started = process.hrtime.bigint();
    const cpuAtStart = process.cpuUsage();
    async function worker() {
      for (;;) {
        const i = next++;
        if (i >= job.count) return;
        const t0 = process.hrtime.bigint();
        if (i === job.count - 1) {
          lastIssuedAt = t0;
          completedAtLastIssue = completed;
        }
        try {
          await call(i);
          ok++;
        } catch (err) {
          const e = err as grpc.ServiceError & { code?: number };
          const key = e.details && /^[A-Z_]+$/.test(e.details) ? e.details : reasonOf(e) ?? `code ${e.code}`;
          errors[key] = (errors[key] ?? 0) + 1;
        }
        const t1 = process.hrtime.bigint();
        histogram.recordValue(Number((t1 - t0) / 1000n));
        if (++completed === target.concurrency) fullAt = t1;
      }
    }
    await Promise.all(Array.from({ length: target.concurrency }, worker));
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    const cpu = process.cpuUsage(cpuAtStart);
    const steady =
      fullAt !== undefined && lastIssuedAt !== undefined && completedAtLastIssue > target.concurrency
        ? { steadyMs: Number(lastIssuedAt - fullAt) / 1e6, steadyCalls: completedAtLastIssue - target.concurrency }
        : { steadyMs: durationMs, steadyCalls: job.count };
    return { calls: job.count, ok, errors, durationMs, ...steady, cpuMs: (cpu.user + cpu.system) / 1000, histogram: hdr.encodeIntoCompressedBase64(histogram), orderIds };
  }

  // Connect every channel and warm this process's client (JIT, HTTP/2
  // windows) at full concurrency before the first job. Measured: with a short
  // warm-up a 10,000-call run was 20-30 % slower than a 20,000-call one, so
  // run length, not the service, decided a scenario's rate.
  const all = [...health, ...orderClients, ...goodsClients];
  await Promise.all(all.map((c) => new Promise<void>((resolve, reject) => c.waitForReady(Date.now() + 10_000, (e) => (e ? reject(e) : resolve())))));
  await run({ kind: "health", count: 3000 });
  process.stderr.write("ready\n");

  // Jobs one at a time, in the order they arrive.
  let buffered = "";
  let chain = Promise.resolve();
  process.stdin.on("data", (d) => {
    buffered += d;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const job = JSON.parse(buffered.slice(0, nl)) as LoadJob;
      buffered = buffered.slice(nl + 1);
      chain = chain.then(async () => void process.stdout.write(JSON.stringify(await run(job)) + "\n"));
    }
  });
  process.stdin.on("end", () => {
    void chain.then(() => {
      for (const c of all) c.close();
      agent.destroy();
      process.exit(0);
    });
  });
}

/** The ErrorInfo reason if the status carries one (cheap scan of the details trailer). */
function reasonOf(err: grpc.ServiceError): string | undefined {
  const bin = err.metadata?.get("grpc-status-details-bin")[0];
  if (!bin) return undefined;
  const m = /([A-Z][A-Z_]{3,})/.exec(Buffer.from(bin as Buffer).toString("latin1"));
  return m?.[1];
}

void main();
