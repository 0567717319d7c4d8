import { startService } from "./app";
import { ConfigError, loadConfig } from "./platform/config";
import { createLogger, describeError } from "./platform/logger";

/** The only composition root: read config, start, print how to call it, stop on a signal. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const service = await startService(config, logger);
  logger.info("listening", { host: config.host, grpcPort: service.grpcPort, httpPort: service.httpPort });
  printBanner(config.host, service.grpcPort, service.httpPort, config.redisUrl === undefined, config.databaseUrl);
  if (config.authMode === "none") {
    logger.warn("authentication is off (AUTH_MODE=none): any caller may act for any member; allowed only on loopback");
  }

  // A second signal forces the exit, unless it is the echo of the first (a
  // terminal's Ctrl-C or a process-group kill reaches both npm, which forwards
  // it, and this process).
  let firstSignalAt = 0;
  const stop = (signal: string) => {
    if (firstSignalAt) {
      if (Date.now() - firstSignalAt > 2000) process.exit(1);
      return;
    }
    firstSignalAt = Date.now();
    logger.info("stopping", { signal });
    service.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error("stop failed", describeError(err));
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

function printBanner(host: string, grpcPort: number, httpPort: number, embeddedGate: boolean, databaseUrl: string) {
  const db = databaseUrl.startsWith("sqlite:") ? `embedded SQLite (${databaseUrl.slice(7)})` : "MySQL";
  process.stdout.write(
    [
      `flash-sale is serving on ${db} with ${embeddedGate ? "the in-process stock gate" : "the Redis stock gate"}`,
      `  gRPC  ${host}:${grpcPort}   (reflection and grpc.health.v1 on)`,
      `  JSON  http://${host}:${httpPort}/rest/...`,
      `try:`,
      `  curl -s -X POST http://${host}:${httpPort}/rest/goods/flashGoodsService/queryPeriods -H 'content-type: application/json' -d '{}'`,
      `  grpcurl -plaintext -d '{}' ${host}:${grpcPort} flashsale.goods.v1.FlashGoodsService/QueryPeriods`,
      "",
    ].join("\n"),
  );
}

main().catch((err) => {
  process.stderr.write(`flash-sale failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
