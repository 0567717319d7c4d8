import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as hdr from "hdr-histogram-js";
import type { LoadJob, LoadResult, LoadTarget } from "./load-worker";
import { newHistogram } from "./histogram";

/**
 * The bench's load side: a pool of load processes (bench/load-worker.ts)
 * driving one server, the figures of each part they run (throughput at full
 * concurrency, latency histogram, where the cores went), and parts run at
 * different moments combined into one scenario.
 */

/** CPU seconds spent by each side of the measurement. */
export interface CpuSeconds {
  service: number;
  load: number;
  mariadb: number;
  redis: number;
}

export interface Scenario {
  name: string;
  /** Wall time of the whole part, fill and drain included (what the CPU columns are over). */
  seconds: number;
  /** The calls' duration at the steady rate (see LoadResult.steadyMs): throughput is calls / rateSeconds. */
  rateSeconds: number;
  cpu: CpuSeconds;
  histogram: hdr.Histogram;
  calls: number;
  ok: number;
  rps: number;
  okPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: Record<string, number>;
  /** The orderId of every OK order. */
  orderIds: string[];
}

export const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** CPU µs per call of each side, in the order service, load, MariaDB, Redis. */
export const cpuMicrosPerCall = (s: Scenario): number[] => [s.cpu.service, s.cpu.load, s.cpu.mariadb, s.cpu.redis].map((c) => (c / s.calls) * 1e6);

/** The load processes driving one server, started once and kept for the whole run. */
export interface LoadPool {
  /**
   * One scenario (or a slice of one): `count` calls split over the processes,
   * which start together. `job.offset` (default 0) is where this part starts
   * in its scenario's attempts, so a scenario run in chunks goes on through
   * its members and request ids rather than starting over in every chunk.
   */
  run(name: string, job: Omit<LoadJob, "count">, count: number): Promise<Scenario>;
  close(): Promise<void>;
}

/** Where and how hard a pool drives: the server's address (and HTTP port for the JSON reads) and its process, for its CPU time. */
export interface LoadSetup {
  grpcAddress: string;
  httpPort?: number;
  serverPid: number;
  /** Calls in flight over all the processes. */
  concurrency: number;
  processes: number;
  channelsPerProcess: number;
  /** Where the processes' target files are written. */
  outDir: string;
}

export async function startLoad({ grpcAddress, httpPort, serverPid, concurrency, processes, channelsPerProcess, outDir }: LoadSetup): Promise<LoadPool> {
  mkdirSync(outDir, { recursive: true });
  const workers = await Promise.all(
    Array.from({ length: processes }, async (_, w) => {
      const file = join(outDir, `load-target-${w}-${grpcAddress.replace(/\W/g, "_")}.json`);
      const target: LoadTarget = { grpcAddress, httpPort, concurrency: Math.ceil(concurrency / processes), channels: channelsPerProcess };
      writeFileSync(file, JSON.stringify(target));
      const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "load-worker.ts"), file], { stdio: ["pipe", "pipe", "pipe"] });
      let err = "";
      let out = "";
      const waiting: { resolve(r: LoadResult): void; reject(e: Error): void }[] = [];
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      void exited.then((code) => {
        for (const w of waiting.splice(0)) w.reject(new Error(`load worker exited ${code}: ${err}`));
      });
      child.stdout.on("data", (d) => {
        out += d;
        for (let nl = out.indexOf("\n"); nl >= 0; nl = out.indexOf("\n")) {
          const line = out.slice(0, nl);
          out = out.slice(nl + 1);
          waiting.shift()?.resolve(JSON.parse(line) as LoadResult);
        }
      });
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", (d) => {
          err += d;
          if (err.includes("ready\n")) resolve();
        });
        void exited.then((code) => reject(new Error(`load worker exited ${code}: ${err}`)));
      });
      return {
        send(job: LoadJob) {
          return new Promise<LoadResult>((resolve, reject) => {
            waiting.push({ resolve, reject });
            child.stdin.write(JSON.stringify(job) + "\n");
          });
        },
        async close() {
          child.stdin.end();
          await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
          child.kill("SIGKILL");
        },
      };
    }),
  );
  return {
    async run(name, job, count) {
      const per = Math.ceil(count / processes);
      const before = serverTicks(serverPid);
      const results = await Promise.all(workers.map((w, i) => w.send({ ...job, count: Math.min(per, count - i * per), offset: (job.offset ?? 0) + i * per })));
      const after = serverTicks(serverPid);
      // The processes start together and time their own calls; each reports
      // its rate over its steady window, and the part's rate is their sum.
      const seconds = Math.max(...results.map((r) => r.durationMs)) / 1000;
      const rate = results.reduce((t, r) => t + r.steadyCalls / (r.steadyMs / 1000), 0);
      const merged = newHistogram();
      for (const r of results) merged.add(hdr.decodeFromCompressedBase64(r.histogram));
      const errors = sumCounts(results.map((r) => r.errors));
      const calls = results.reduce((t, r) => t + r.calls, 0);
      const ok = results.reduce((t, r) => t + r.ok, 0);
      const cpu: CpuSeconds = {
        service: (after.service - before.service) / ticksPerSecond,
        load: results.reduce((t, r) => t + r.cpuMs, 0) / 1000,
        mariadb: (after.mariadb - before.mariadb) / ticksPerSecond,
        redis: (after.redis - before.redis) / ticksPerSecond,
      };
      const scenario = summarise(name, seconds, calls / rate, cpu, merged, calls, ok, errors, results.flatMap((r) => r.orderIds));
      log(`${name}: ${scenario.rps.toFixed(0)} calls/s, ${scenario.okPerSecond.toFixed(0)} ok/s, p50 ${scenario.p50.toFixed(1)} ms, p99 ${scenario.p99.toFixed(1)} ms, errors ${JSON.stringify(errors)}`);
      return scenario;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

function sumCounts(counts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const c of counts) for (const [k, v] of Object.entries(c)) total[k] = (total[k] ?? 0) + v;
  return total;
}

function summarise(name: string, seconds: number, rateSeconds: number, cpu: CpuSeconds, histogram: hdr.Histogram, calls: number, ok: number, errors: Record<string, number>, orderIds: Scenario["orderIds"]): Scenario {
  const ms = (q: number) => histogram.getValueAtPercentile(q) / 1000;
  return { name, seconds, rateSeconds, cpu, histogram, calls, ok, rps: calls / rateSeconds, okPerSecond: ok / rateSeconds, p50: ms(50), p95: ms(95), p99: ms(99), errors, orderIds };
}

/**
 * Parts of one measurement run at different moments, as one: total calls over
 * total time, latencies from the merged histograms. This shared machine's
 * speed drifts by tens of percent within a minute, so the ceiling is measured
 * in slices spread over the run, and the all-win and the gRPC reads in
 * chunks each right after a slice: a ceiling taken only at the start, or a
 * scenario caught in one slow stretch, would compare the service with another
 * machine.
 */
export function combine(name: string, slices: Scenario[]): Scenario {
  const merged = newHistogram();
  for (const s of slices) merged.add(s.histogram);
  const sum = (f: (s: Scenario) => number) => slices.reduce((t, s) => t + f(s), 0);
  const errors = sumCounts(slices.map((s) => s.errors));
  const cpu: CpuSeconds = { service: sum((s) => s.cpu.service), load: sum((s) => s.cpu.load), mariadb: sum((s) => s.cpu.mariadb), redis: sum((s) => s.cpu.redis) };
  return summarise(name, sum((s) => s.seconds), sum((s) => s.rateSeconds), cpu, merged, sum((s) => s.calls), sum((s) => s.ok), errors, slices.flatMap((s) => s.orderIds));
}

/**
 * CPU time so far (in clock ticks, from /proc) of the service, MariaDB and
 * Redis: with the load processes' own figures, where a scenario's cores went.
 */
export const ticksPerSecond = 100;
let databasePids: { mariadb: number[]; redis: number[] } | undefined;
export function serverTicks(serverPid: number) {
  const ticksOf = (pid: number) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  const pidsOf = (name: string) =>
    readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return readFileSync(`/proc/${d}/comm`, "utf8").trim() === name;
        } catch {
          return false;
        }
      })
      .map(Number);
  // The database servers do not restart during a run: their processes are found once.
  databasePids ??= { mariadb: [...pidsOf("mariadbd"), ...pidsOf("mysqld")], redis: pidsOf("redis-server") };
  const sum = (pids: number[]) => pids.reduce((t, pid) => t + ticksOf(pid), 0);
  return { service: ticksOf(serverPid), mariadb: sum(databasePids.mariadb), redis: sum(databasePids.redis) };
}

/** Peak resident memory of a process, sampled every 100 ms. */
export function watchRss(pid: number) {
  let max = 0;
  const timer = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
      max = Math.max(max, kb / 1024);
    } catch {
      /* process gone */
    }
  }, 100);
  return { max: () => max, stop: () => clearInterval(timer) };
}
