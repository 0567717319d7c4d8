import Redis from "ioredis";
import { AppError } from "./errors";
import type { Logger } from "./logger";

/**
 * A Redis client that fails fast: with Redis away, commands are not queued
 * for later but fail at once (or after commandTimeout), so an order attempt
 * answers UNAVAILABLE within a second instead of hanging. It reconnects by itself.
 */
export function openRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    commandTimeout: 1000,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: false,
  });
  // Connection errors are expected while Redis is away; calls fail on their
  // own (UNAVAILABLE), so one warning per error, never an unhandled event.
  redis.on("error", (err: Error) => logger.warn("redis connection error", { err: err.message }));
  return redis;
}

/** Any Redis failure as the contract's SERVICE_UNAVAILABLE. */
export function redisUnavailable(): AppError {
  return new AppError("SERVICE_UNAVAILABLE", "服务暂不可用，请稍后重试 (stock gate unavailable, retry shortly)");
}

/** Waits (up to timeoutMs) for the first connection, so a bad REDIS_URL fails the start. */
export async function waitForRedis(redis: Redis, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await redis.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
