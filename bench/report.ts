import { cpus, totalmem } from "node:os";
import { type Scenario, cpuMicrosPerCall } from "./load-pool";

/** How the run was set up, as the report states it. */
export interface RunSetup {
  quick: boolean;
  loadProcesses: number;
  concurrency: number;
  channelsPerProcess: number;
  slice: number;
  rounds: number;
}

/** The run as Markdown: setup, one row per scenario with its CPU split, the writer alone, the bars, the invariants. */
export function renderReport(setup: RunSetup, scenarios: Scenario[], ceilingSlices: Scenario[], pairRatios: Record<string, number[]>, writer: any, bars: readonly (readonly [string, number, number, string?])[], summary: Record<string, number>, gateMismatch: number): string {
  const { quick, loadProcesses, concurrency, channelsPerProcess } = setup;
  const lines = [
    `# Benchmark results`,
    "",
    `${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? "cpu"} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version} · ${quick ? "quick" : "full"} run`,
    `Service on MySQL + Redis (one process, ACCESS_LOG=off), ${loadProcesses} load processes × ${concurrency / loadProcesses} concurrent calls over ${channelsPerProcess} channels each; reference = naive server (bench/naive-server.ts) on the same database.`,
    "Throughput (calls/s, OK/s) is each load process's rate at full concurrency, from the moment its first calls have all completed to the moment it issues its last one (fill and drain left out); latencies cover every call.",
    "CPU columns: cores used while the scenario ran and CPU µs per call, for the server being driven (the service, or the naive server in its row), the two load processes together, MariaDB and Redis (from /proc and the load processes' own accounting).",
    `The ceiling is measured in ${ceilingSlices.length} slices of ${setup.slice} calls spread over the run (${ceilingSlices.map((c) => c.rps.toFixed(0)).join(", ")} calls/s): one right before each chunk of the crowd, of the all-win and of the two gRPC reads (which take turns, ${setup.rounds} rounds), one at the end; its row is their total. The crowd, all-win and gRPC read rows are their chunks' totals (the crowd's goods sells out in its first chunk).`,
    `Each chunk over the ceiling slice right before it (the same bar, within one pair): ${Object.entries(pairRatios).map(([name, r]) => `${name} ${r.map((x) => x.toFixed(2)).join(", ")}`).join("; ")}.`,
    "",
    "| scenario | calls | OK | calls/s | OK/s | p50 ms | p95 ms | p99 ms | errors | cores: service / load / MariaDB / Redis | µs per call: service / load / MariaDB / Redis |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ...scenarios.map((s) => {
      const sides = [s.cpu.service, s.cpu.load, s.cpu.mariadb, s.cpu.redis];
      const cores = sides.map((c) => (c / s.seconds).toFixed(2)).join(" / ");
      const perCall = cpuMicrosPerCall(s).map((c) => c.toFixed(0)).join(" / ");
      return `| ${s.name} | ${s.calls} | ${s.ok} | ${s.rps.toFixed(0)} | ${s.okPerSecond.toFixed(0)} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.p99.toFixed(1)} | ${Object.entries(s.errors).map(([k, v]) => `${k} ${v}`).join(", ")} | ${cores} | ${perCall} |`;
    }),
    `| writer alone (no RPC) | ${writer.orders} | ${writer.orders} | | ${writer.writer_orders_per_s.toFixed(0)} | | | | batches ${writer.writer_batches.batches}, max ${writer.writer_batches.maxBatch} | | |`,
    `| naive writer alone | ${writer.orders} | ${writer.orders} | | ${writer.naive_writer_orders_per_s.toFixed(0)} | | | | | | |`,
    "",
    "| bar | measured | target | |",
    "|---|---:|---:|---|",
    ...bars.map(([name, value, target, kind]) => `| ${name} | ${value.toFixed(3)} | ${target} | ${(kind === "max" ? value <= target : value >= target) ? "met" : "**missed**"} |`),
    "",
    `Invariants: oversold ${summary.oversold}, lost ${summary.lost}, gate ≠ database on ${gateMismatch} goods. Server peak RSS ${summary.rss_mb_max} MB.`,
    "",
    "![throughput and latency per scenario](results.svg)",
    "",
    "```json",
    JSON.stringify(summary),
    "```",
    "",
  ];
  return lines.join("\n");
}
