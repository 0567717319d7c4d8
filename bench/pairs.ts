import { join } from "node:path";
import { freshDatabase } from "../test/support/databases";
import { openChecker } from "../test/support/invariants";
import { sample } from "../test/support/metrics";
import { spawnService } from "../test/support/processes";
import { type Scenario, cpuMicrosPerCall, log, startLoad, watchRss } from "./load-pool";
import { insertGoods, insertMembers, insertOngoingPeriod } from "./seed";

/**
 * npm run bench:pairs [-- rounds]: the all-win against the ceiling alone, for
 * trying a change to the order path in a minute instead of a whole bench run.
 * The service (as the bench starts it) is driven by the bench's load
 * processes in alternating pairs: a health slice (PAIRS_SLICE calls), then an
 * all-win chunk (PAIRS_CHUNK orders). Logs each pair's throughput ratio and
 * its CPU per call by process; prints one JSON line with the mean ratio, the
 * mean CPU ratio (health CPU per call over all-win CPU per call, all four
 * processes: steadier than throughput on this shared machine), the service's
 * peak RSS and its group-commit batches. BENCH_NODE_ARGS adds V8/Node flags to
 * the service (e.g. "--max-semi-space-size=64"); BENCH_CPU_PROF=1 writes its
 * CPU profile to bench/out/profiles. It checks no invariants: npm run bench
 * does.
 */
const rounds = Number(process.argv[2] ?? 6);
const root = join(__dirname, "..");
const outDir = join(root, "bench", "out");
const mysqlUrl = process.env.BENCH_MYSQL_URL ?? "mysql://flashsale:flashsale@127.0.0.1:3306";
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/8";
const members = 20_000;
const slice = Number(process.env.PAIRS_SLICE ?? 3_000);
const chunk = Number(process.env.PAIRS_CHUNK ?? 3_000);

async function main() {
  const fresh = await freshDatabase("mysql", mysqlUrl);
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${join(outDir, "profiles")}`] : [];
  if (process.env.BENCH_NODE_ARGS) profile.push(...process.env.BENCH_NODE_ARGS.split(" "));
  const service = await spawnService({ DATABASE_URL: fresh.url, REDIS_URL: redisUrl, ACCESS_LOG: "off" }, "src/main.ts", profile);
  const checker = openChecker(fresh.url);
  const rss = watchRss(service.pid);
  const load = await startLoad({ grpcAddress: service.grpcAddress, serverPid: service.pid, concurrency: 256, processes: 2, channelsPerProcess: 4, outDir });
  try {
    const periodId = await insertOngoingPeriod(checker.knex, "pairs");
    const makeGoods = () => insertGoods(checker.knex, periodId, 10_000_000);
    await insertMembers(checker.knex, Array.from({ length: members }, (_, i) => `pm-${i}`));
    const order = (goodsId: string, prefix: string) => ({ kind: "order" as const, goodsId, memberPrefix: "pm-", members, requestPrefix: prefix });
    await load.run("warm-up health", { kind: "health" }, 2 * slice);
    await load.run("warm-up orders", order(await makeGoods(), "warm-"), 2 * chunk);
    const goodsId = await makeGoods();
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const cpuPerCall = (s: Scenario) => cpuMicrosPerCall(s).reduce((a, b) => a + b, 0);
    const perCall = (s: Scenario) => {
      const [service, load, mariadb, redis] = cpuMicrosPerCall(s).map((c) => c.toFixed(0));
      return `service ${service} µs, load ${load}, MariaDB ${mariadb}, Redis ${redis}`;
    };
    for (let round = 1; round <= rounds; round++) {
      const health = await load.run(`health ${round}`, { kind: "health" }, slice);
      const win = await load.run(`all-win ${round}`, order(goodsId, `r${round}-`), chunk);
      ratios.push(win.okPerSecond / health.rps);
      cpuRatios.push(cpuPerCall(health) / cpuPerCall(win));
      log(`pair ${round}: ${ratios.at(-1)!.toFixed(3)} (CPU ${cpuRatios.at(-1)!.toFixed(3)}) | health ${perCall(health)} | all-win ${perCall(win)}`);
    }
    const mean = (xs: number[]) => Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3));
    const metrics = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();
    const metric = (name: string) => Number(sample(metrics, name));
    const batches = metric("flashsale_order_batch_size_count");
    const batch = { batches, meanSize: Number((metric("flashsale_order_batch_size_sum") / batches).toFixed(1)), meanCommitMs: Number(((metric("flashsale_order_batch_commit_seconds_sum") / batches) * 1000).toFixed(2)) };
    const reconciled = metric("flashsale_gate_goods_reconciled_total");
    process.stdout.write(JSON.stringify({ mean: mean(ratios), cpuMean: mean(cpuRatios), rssMb: Math.round(rss.max()), batch, reconciled, ratios: ratios.map((r) => Number(r.toFixed(3))) }) + "\n");
  } finally {
    rss.stop();
    await load.close();
    await checker.close();
    service.kill("SIGTERM");
    await Promise.race([service.exited, new Promise((r) => setTimeout(r, 10_000))]);
    await fresh.drop().catch(() => undefined);
  }
}

main().catch((err) => {
  process.stderr.write(`pairs failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
