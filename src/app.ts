import { readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { adminServiceBinding } from "./admin/admin-grpc";
import { migrateToLatest } from "./db/migrate";
import { loadDemoDataIfNeeded } from "./demo/demo-data";
import { createJsonGateway } from "./gateway/json-gateway";
import { createGoodsCatalog } from "./goods/goods-catalog";
import { goodsServiceBinding } from "./goods/goods-grpc";
import { createGoodsRepository } from "./goods/goods-repository";
import { makeGoodsAdmin } from "./goods/manage-goods";
import { makeGoodsQueries } from "./goods/query-goods";
import { createCustomerRepository } from "./member/customer-repository";
import { makeGetCustomerByRef } from "./member/get-customer-by-ref";
import { memberServiceBinding } from "./member/member-grpc";
import { makeUpsertCustomer } from "./member/upsert-customer";
import { makeCreateOrder } from "./order/create-order";
import { makeExpireOrders } from "./order/expire-orders";
import { orderServiceBinding } from "./order/order-grpc";
import { makeOrderLifecycle } from "./order/order-lifecycle";
import { createOrderRepository } from "./order/order-repository";
import { createOrderWriter } from "./order/order-writer";
import type { Config } from "./platform/config";
import { type Database, openDatabase } from "./platform/db";
import { createMetrics, type Metrics } from "./platform/metrics";
import { observedGate } from "./stock/observed-gate";
import { type GoodsRepository, remainingStock } from "./goods/goods";
import type Redis from "ioredis";
import { createGrpcServer } from "./platform/grpc-server";
import { createCallGuard } from "./access/call-guard";
import { createLocalRateLimiter, createRedisRateLimiter } from "./access/rate-limiter";
import { every } from "./platform/jobs";
import type { Logger } from "./platform/logger";
import { createStarRepository } from "./star/star-repository";
import { starServiceBinding } from "./star/star-grpc";
import { makeStarUseCases } from "./star/star-use-cases";
import { createGateSync } from "./stock/gate-sync";
import { createLocalStockGate } from "./stock/local-stock-gate";
import { skipGateWhilePlentiful } from "./stock/plentiful-gate";
import { createRedisStockGate } from "./stock/redis-stock-gate";
import { openRedis, waitForRedis } from "./platform/redis";

export const descriptorSetPath = join(__dirname, "..", "gen", "flashsale.binpb");
const maxMessageBytes = 1024 * 1024;

export interface RunningService {
  grpcPort: number;
  httpPort: number;
  /** Drains in-flight calls and the order writer, then closes everything. */
  stop(): Promise<void>;
}

/** config → db → repositories → gate → use cases → servers → jobs. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const db = openDatabase(config.databaseUrl, logger);
  await migrateToLatest(db.knex);

  const goods = createGoodsRepository(db);
  const customers = createCustomerRepository(db);
  const stars = createStarRepository(db);
  const orders = createOrderRepository(db);

  // Redis when configured (shared by every instance), else in-process state.
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;
  const rateLimit = { ratePerSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst };
  const metrics = createMetrics();
  const gate = observedGate(
    redis
      ? skipGateWhilePlentiful(createRedisStockGate(redis, rateLimit), {
          margin: config.gateSkipAbove,
          attemptRate: rateLimit,
          onSkip: () => metrics.gateSkipped.inc(),
        })
      : createLocalStockGate(rateLimit),
    metrics,
  );
  const limiter = config.rateLimitPerSecond === 0 ? undefined : redis ? createRedisRateLimiter(redis, rateLimit) : createLocalRateLimiter(rateLimit);
  const gateSync = createGateSync({ gate, goods, orders, staleAfterMs: config.reservationStaleMs });
  const writer = createOrderWriter(orders, {
    maxBatch: config.orderBatchMax,
    maxWaitMs: config.orderBatchWaitMs,
    maxInFlight: db.dialect === "sqlite" ? 1 : config.orderBatchesInFlight,
    onBatch(size, seconds) {
      metrics.batchSize.observe(size);
      metrics.batchSeconds.observe(seconds);
    },
  });

  const goodsAdmin = makeGoodsAdmin({ goods, onGoodsCreated: (g) => gateSync.loadGoods(g.flashGoodsId).then(() => undefined) });
  const upsertCustomer = makeUpsertCustomer({ customers });
  const createOrder = makeCreateOrder({
    catalog: createGoodsCatalog({ goods }),
    orders, gate, gateSync, writer,
    payWindowMs: config.payWindowMs,
  });
  const lifecycle = makeOrderLifecycle({ orders, gate });
  const releaseExpiredOrders = makeExpireOrders({ orders, gate });

  const demoWanted = config.demoData === "always" || (config.demoData === "auto" && db.dialect === "sqlite");
  if (demoWanted && (await loadDemoDataIfNeeded({ goods, stars, goodsAdmin, upsertCustomer, saleTimeZone: config.saleTimeZone }))) {
    logger.info("demo data loaded");
  }
  await gateSync.reconcileAll();

  const descriptorSet = readFileSync(descriptorSetPath);
  const grpcServer = createGrpcServer({
    descriptorSet,
    metrics,
    accessLog: config.accessLog,
    logger,
    guardFor: await createCallGuard({ auth: config, limiter }),
    maxMessageBytes,
    services: [
      starServiceBinding(makeStarUseCases({ stars, goods, customers }), logger),
      memberServiceBinding(makeGetCustomerByRef({ customers }), logger),
      goodsServiceBinding(makeGoodsQueries({ goods, saleTimeZone: config.saleTimeZone, readCacheMs: config.readCacheMs }), logger),
      orderServiceBinding(createOrder, lifecycle, logger),
      adminServiceBinding(goodsAdmin, upsertCustomer, logger),
    ],
  });
  const grpcPort = await grpcServer.listen(config.host, config.grpcPort);

  const gateway = createJsonGateway({ descriptorSet, grpcTarget: `${config.host}:${grpcPort}`, maxBodyBytes: maxMessageBytes });
  observeState(metrics, { goods, db, redis });
  const httpServer = http.createServer((req, res) => {
    if (gateway.handle(req, res)) return;
    if (req.method === "GET" && req.url === "/metrics") {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ code: 5, message: "not found", details: [] }));
  });
  await new Promise<void>((resolve) => httpServer.listen(config.httpPort, config.host, resolve));
  const httpPort = (httpServer.address() as { port: number }).port;

  const counted = (job: string, run: () => Promise<number>, count: (n: number) => void) => () =>
    run().then(
      (n) => (count(n), metrics.jobRuns.inc({ job, result: "ok" })),
      (err) => (metrics.jobRuns.inc({ job, result: "failed" }), Promise.reject(err)),
    );
  const stopJobs = [
    every(config.expiryIntervalMs, "expiry", counted("expiry", releaseExpiredOrders, (n) => metrics.expired.inc(n)), logger),
    every(config.reconcileIntervalMs, "reconciliation", counted("reconciliation", () => gateSync.reconcileAll(), (n) => metrics.reconciled.inc(n)), logger),
  ];
  grpcServer.setServing(true);

  let stopping: Promise<void> | undefined;
  return {
    grpcPort,
    httpPort,
    stop() {
      stopping ??= (async () => {
        grpcServer.setServing(false);
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        await grpcServer.shutdown(10_000);
        await writer.drain();
        for (const stopJob of stopJobs) await stopJob();
        gateway.close();
        await gate.close();
        redis?.disconnect();
        await db.knex.destroy();
      })();
      return stopping;
    },
  };
}

/** Gauges read at scrape time: live stock of goods on sale, the database pool, Redis. */
function observeState(metrics: Metrics, { goods, db, redis }: { goods: GoodsRepository; db: Database; redis: Redis | undefined }) {
  metrics.gauge("flashsale_remaining_stock", "Units not yet sold, per goods whose period has not ended", ["goods"], async (g) => {
    g.reset();
    for (const item of await goods.listGoodsOnSaleOrUpcoming(Date.now())) g.set({ goods: item.flashGoodsId }, remainingStock(item));
  });
  metrics.gauge("flashsale_db_pool_connections", "Database pool connections by state", ["state"], (g) => {
    const pool = (db.knex.client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }).pool;
    if (!pool) return;
    g.set({ state: "used" }, pool.numUsed());
    g.set({ state: "free" }, pool.numFree());
    g.set({ state: "pending" }, pool.numPendingAcquires());
  });
  metrics.gauge("flashsale_redis_up", "1 when the Redis connection is ready (absent on the embedded default)", [], (g) => {
    if (redis) g.set(redis.status === "ready" ? 1 : 0);
  });
}

async function connectRedis(url: string, logger: Logger) {
  const redis = openRedis(url, logger);
  try {
    await waitForRedis(redis);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return redis;
}
