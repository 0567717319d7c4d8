import { startService, type RunningService } from "../../src/app";
import { loadConfig } from "../../src/platform/config";
import { createLogger } from "../../src/platform/logger";
import { connectClients, type Clients } from "./grpc-clients";
import { type Backend, freshDatabase, testRedisUrl } from "./databases";

export interface TestService {
  backend: Backend;
  grpcAddress: string;
  httpPort: number;
  clients: Clients;
  /** POST a JSON body to a /rest path of the JSON gateway. */
  postJson(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
  databaseUrl: string;
  stop(): Promise<void>;
}

/**
 * The real service in this process on ports 0 with a fresh database, reached
 * over gRPC and HTTP like any client: "sqlite" is the embedded default (SQLite
 * file, in-process gate); "mysql" is production's MySQL + Redis.
 */
export async function startTestService(
  backend: Backend,
  env: Record<string, string> = {},
  /** Lets a fault test route the service's connections (e.g. through a proxy it controls). */
  route: (urls: { databaseUrl: string; redisUrl: string }) => { databaseUrl: string; redisUrl: string } = (u) => u,
): Promise<TestService> {
  const db = await freshDatabase(backend);
  const routed = route({ databaseUrl: db.url, redisUrl: testRedisUrl });
  const redis = backend === "mysql" ? { REDIS_URL: routed.redisUrl } : {};
  // READ_CACHE_MS 0: tests read their own writes at once; RATE_LIMIT_PER_SECOND 0:
  // tests call as fast as they like. Both have their own tests.
  const config = loadConfig({ DATABASE_URL: routed.databaseUrl, GRPC_PORT: "0", HTTP_PORT: "0", DEMO_DATA: "never", READ_CACHE_MS: "0", RATE_LIMIT_PER_SECOND: "0", ...redis, ...env });
  let service: RunningService;
  try {
    service = await startService(config, createLogger("error"));
  } catch (err) {
    await db.drop();
    throw err;
  }
  const grpcAddress = `127.0.0.1:${service.grpcPort}`;
  const clients = connectClients(grpcAddress);
  return {
    backend,
    grpcAddress,
    httpPort: service.httpPort,
    clients,
    databaseUrl: db.url,
    async postJson(path, body, headers = {}) {
      const res = await fetch(`http://127.0.0.1:${service.httpPort}/rest${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      clients.close();
      await service.stop();
      await db.drop();
    },
  };
}
