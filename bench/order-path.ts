import { migrateToLatest } from "../src/db/migrate";
import { createGoodsCatalog } from "../src/goods/goods-catalog";
import { createGoodsRepository } from "../src/goods/goods-repository";
import { makeCreateOrder } from "../src/order/create-order";
import { createOrderRepository } from "../src/order/order-repository";
import { createOrderWriter } from "../src/order/order-writer";
import { openDatabase } from "../src/platform/db";
import { createLogger } from "../src/platform/logger";
import { openRedis, waitForRedis } from "../src/platform/redis";
import { createGateSync } from "../src/stock/gate-sync";
import { skipGateWhilePlentiful } from "../src/stock/plentiful-gate";
import { createRedisStockGate } from "../src/stock/redis-stock-gate";
import { freshDatabase } from "../test/support/databases";
import { serverTicks, ticksPerSecond } from "./load-pool";
import { insertGoods, insertMembers, insertOngoingPeriod } from "./seed";

/**
 * npm run bench:order-path: the order path alone, in this process (createOrder
 * with the Redis stock gate and the group-commit writer on MySQL; no gRPC, no
 * load processes), and where its CPU goes per order: this process, MariaDB,
 * Redis. Run at the batch size the service reaches in the bench's all-win
 * (~77 orders) and with the default cap (the writer then takes ~256, all the
 * callers): what an all-win order costs beyond a gRPC call, and what of it is
 * per transaction; and at ~77 with the gate asked for every attempt
 * (GATE_SKIP_ABOVE=0) as well as skipped while units are plentiful, as the
 * service does (plentiful-gate.ts). 256 callers, 20,000 members, 30,000
 * orders per setting.
 */
const mysqlUrl = process.env.BENCH_MYSQL_URL ?? "mysql://flashsale:flashsale@127.0.0.1:3306";
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/8";
const members = 20_000;
const orders = 30_000;
const callers = 256;

async function main() {
  const fresh = await freshDatabase("mysql", mysqlUrl);
  const db = openDatabase(fresh.url);
  // The service's own Redis client and options (auto-pipelining, fail fast).
  const redis = openRedis(redisUrl, createLogger("warn"));
  try {
    await waitForRedis(redis);
    await migrateToLatest(db.knex);
    await insertMembers(db.knex, Array.from({ length: members }, (_, i) => `op-${i}`));
    const periodId = await insertOngoingPeriod(db.knex, "order path");
    const results = [];
    const settings = [
      { maxBatch: 77, skipAbove: 0 },
      { maxBatch: 77, skipAbove: 1000 },
      { maxBatch: 500, skipAbove: 1000 },
    ];
    for (const { maxBatch, skipAbove } of settings) {
      const flashGoodsId = await insertGoods(db.knex, periodId, 10_000_000);
      const repo = createOrderRepository(db);
      const goods = createGoodsRepository(db);
      const rate = { ratePerSecond: 5, burst: 10 };
      const gate = skipGateWhilePlentiful(createRedisStockGate(redis, rate), { margin: skipAbove, attemptRate: rate });
      const gateSync = createGateSync({ gate, goods, orders: repo, staleAfterMs: 60_000 });
      const writer = createOrderWriter(repo, { maxBatch, maxWaitMs: 2, maxInFlight: 1 });
      const createOrder = makeCreateOrder({ catalog: createGoodsCatalog({ goods }), orders: repo, gate, gateSync, writer, payWindowMs: 900_000 });
      await gateSync.loadGoods(flashGoodsId);
      let next = 0;
      const drive = async (count: number) => {
        const end = next + count;
        await Promise.all(
          Array.from({ length: callers }, async () => {
            while (next < end) {
              const i = next++;
              await createOrder({ customerCode: `op-${(i * 7919) % members}`, flashGoodsId, requestId: `op-${maxBatch}-${skipAbove}-${i}`, quantity: 1 });
            }
          }),
        );
      };
      await drive(5_000); // warm-up, not counted
      const before = { ticks: serverTicks(process.pid), stats: writer.stats(), at: performance.now() };
      await drive(orders);
      const after = { ticks: serverTicks(process.pid), stats: writer.stats(), at: performance.now() };
      const perOrder = (ticks: number) => Math.round((ticks / ticksPerSecond / orders) * 1e6);
      results.push({
        maxBatch,
        gate: skipAbove === 0 ? "asked" : "skipped while plentiful",
        orders_per_s: Math.round(orders / ((after.at - before.at) / 1000)),
        orders_per_batch: Math.round(orders / (after.stats.batches - before.stats.batches)),
        node_us: perOrder(after.ticks.service - before.ticks.service),
        mariadb_us: perOrder(after.ticks.mariadb - before.ticks.mariadb),
        redis_us: perOrder(after.ticks.redis - before.ticks.redis),
      });
      await writer.drain();
    }
    process.stdout.write(JSON.stringify(results) + "\n");
  } finally {
    redis.disconnect();
    await db.knex.destroy();
    await fresh.drop();
  }
}

main().catch((err) => {
  process.stderr.write(`order-path bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
