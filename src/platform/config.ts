import { isIP } from "node:net";

/**
 * Every setting the service reads, read once at boot and validated; a bad value
 * fails the start with a message naming the key. Each key documents itself.
 */
export interface Config {
  /** DATABASE_URL: `mysql://user:pass@host:port/db`, or `sqlite:<file>` (default `sqlite:data/flash-sale.sqlite`, the embedded default). */
  databaseUrl: string;
  /** REDIS_URL: `redis://host:port[/db]`; empty (default) = the in-process stock gate of the embedded default. */
  redisUrl: string | undefined;
  /** HOST: address the gRPC and HTTP servers bind to (default 127.0.0.1). */
  host: string;
  /** GRPC_PORT: gRPC port (default 9090; 0 = any free port). */
  grpcPort: number;
  /** HTTP_PORT: JSON gateway port, paths under /rest (default 9020; 0 = any free port). */
  httpPort: number;
  /** SALE_TIME_ZONE: IANA zone of sale days and period titles (default Asia/Shanghai). */
  saleTimeZone: string;
  /** PAY_WINDOW_MS: how long an order waits for payment before it expires (default 900000 = 15 min). */
  payWindowMs: number;
  /** ORDER_BATCH_MAX: most orders committed in one transaction by the group-commit writer (default 500). */
  orderBatchMax: number;
  /** ORDER_BATCH_WAIT_MS: longest a winner waits for its batch to fill before it is committed (default 2). */
  orderBatchWaitMs: number;
  /** ORDER_BATCHES_IN_FLIGHT: batches committing at once on MySQL (default 1: one batch already carries every goods, and batches of one hot goods would only queue on its row lock; the embedded SQLite default always uses 1). */
  orderBatchesInFlight: number;
  /** GATE_SKIP_ABOVE: with Redis, CreateOrder skips the stock gate while more than this many units of the goods stay left after the attempt; the database decides alone, the gate counts the order after its commit (default 1000, above the attempts all instances have in flight at once; 0 = always ask the gate). */
  gateSkipAbove: number;
  /** EXPIRY_INTERVAL_MS: how often unpaid orders past their deadline are expired (default 5000). */
  expiryIntervalMs: number;
  /** RECONCILE_INTERVAL_MS: how often the stock gate is checked against the database; goods that disagree are rebuilt (default 10000). */
  reconcileIntervalMs: number;
  /** RESERVATION_STALE_MS: a gate reservation in flight longer than this was stranded by a crash and goes back on sale (default 15000). */
  reservationStaleMs: number;
  /** READ_CACHE_MS: how long goods lists and details may be served from memory; remainingStock is at most this stale (default 250; 0 = off). */
  readCacheMs: number;
  /** DEMO_DATA: `auto` (default: on the embedded SQLite default only, add a demo sale when no period starts today), `always` or `never`. */
  demoData: "auto" | "always" | "never";
  /** AUTH_MODE: `jwt` (bearer tokens required) or `none` (default; allowed only while HOST is a loopback address). */
  authMode: "none" | "jwt";
  /** AUTH_JWT_SECRET: HS256 secret (at least 32 characters) that signs member, service and admin tokens. */
  authJwtSecret: string | undefined;
  /** AUTH_JWT_PUBLIC_KEY: PEM public key (RS256/ES256) for tokens signed elsewhere; used instead of AUTH_JWT_SECRET. */
  authJwtPublicKey: string | undefined;
  /** RATE_LIMIT_PER_SECOND: calls a member may make per second, sustained: CreateOrder attempts per goods, and AddStar (default 5; 0 = no limit). */
  rateLimitPerSecond: number;
  /** RATE_LIMIT_BURST: calls a member may make at once before the per-second rate applies (default 10). */
  rateLimitBurst: number;
  /** ACCESS_LOG: `on` (default) = one info line per call (method, code, reason, ms, x-request-id); `off` = errors and lifecycle only. */
  accessLog: boolean;
  /** LOG_LEVEL: `debug`, `info` (default), `warn` or `error`. */
  logLevel: "debug" | "info" | "warn" | "error";
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const config: Config = {
    databaseUrl: text(env, "DATABASE_URL", "sqlite:data/flash-sale.sqlite"),
    redisUrl: env.REDIS_URL?.trim() || undefined,
    host: text(env, "HOST", "127.0.0.1"),
    grpcPort: integer(env, "GRPC_PORT", 9090, 0, 65535),
    httpPort: integer(env, "HTTP_PORT", 9020, 0, 65535),
    saleTimeZone: text(env, "SALE_TIME_ZONE", "Asia/Shanghai"),
    payWindowMs: integer(env, "PAY_WINDOW_MS", 15 * 60_000, 1, 7 * 24 * 3_600_000),
    orderBatchMax: integer(env, "ORDER_BATCH_MAX", 500, 1, 5000),
    orderBatchWaitMs: integer(env, "ORDER_BATCH_WAIT_MS", 2, 0, 1000),
    orderBatchesInFlight: integer(env, "ORDER_BATCHES_IN_FLIGHT", 1, 1, 64),
    gateSkipAbove: integer(env, "GATE_SKIP_ABOVE", 1000, 0, 1_000_000_000),
    expiryIntervalMs: integer(env, "EXPIRY_INTERVAL_MS", 5000, 50, 3_600_000),
    reconcileIntervalMs: integer(env, "RECONCILE_INTERVAL_MS", 10_000, 50, 3_600_000),
    reservationStaleMs: integer(env, "RESERVATION_STALE_MS", 15_000, 1000, 3_600_000),
    readCacheMs: integer(env, "READ_CACHE_MS", 250, 0, 60_000),
    demoData: oneOf(env, "DEMO_DATA", "auto", ["auto", "always", "never"] as const),
    authMode: oneOf(env, "AUTH_MODE", "none", ["none", "jwt"] as const),
    authJwtSecret: env.AUTH_JWT_SECRET || undefined,
    authJwtPublicKey: env.AUTH_JWT_PUBLIC_KEY || undefined,
    rateLimitPerSecond: integer(env, "RATE_LIMIT_PER_SECOND", 5, 0, 100_000),
    rateLimitBurst: integer(env, "RATE_LIMIT_BURST", 10, 1, 100_000),
    accessLog: oneOf(env, "ACCESS_LOG", "on", ["on", "off"] as const) === "on",
    logLevel: oneOf(env, "LOG_LEVEL", "info", ["debug", "info", "warn", "error"] as const),
  };
  if (!/^(mysql2?:\/\/|sqlite:)/.test(config.databaseUrl)) {
    throw new ConfigError("DATABASE_URL must start with mysql:// or sqlite:");
  }
  if (config.redisUrl && !/^rediss?:\/\//.test(config.redisUrl)) {
    throw new ConfigError("REDIS_URL must start with redis:// or rediss://");
  }
  if (isIP(config.host) === 0 && config.host !== "localhost") {
    throw new ConfigError("HOST must be an IP address or localhost");
  }
  if (config.authMode === "none" && !isLoopback(config.host)) {
    throw new ConfigError(`AUTH_MODE=none is allowed only on a loopback HOST; set AUTH_MODE=jwt to bind ${config.host}`);
  }
  if (config.authMode === "jwt" && !config.authJwtPublicKey && (config.authJwtSecret?.length ?? 0) < 32) {
    throw new ConfigError("AUTH_MODE=jwt needs AUTH_JWT_PUBLIC_KEY or an AUTH_JWT_SECRET of at least 32 characters");
  }
  try {
    new Intl.DateTimeFormat("en", { timeZone: config.saleTimeZone });
  } catch {
    throw new ConfigError(`SALE_TIME_ZONE ${config.saleTimeZone} is not a known time zone`);
  }
  return config;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

function text(env: Env, key: string, fallback: string): string {
  const value = env[key]?.trim();
  return value ? value : fallback;
}

function integer(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, key: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[key]?.trim();
  if (!raw) return fallback;
  if (!allowed.includes(raw as T)) {
    throw new ConfigError(`${key} must be one of ${allowed.join(", ")}, got "${raw}"`);
  }
  return raw as T;
}
