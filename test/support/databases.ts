import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import knexFactory from "knex";

export type Backend = "sqlite" | "mysql";

/**
 * The MySQL server the tests use (a TCP user; see .ci/run). Tests always run
 * against it: a missing MySQL fails the suite, it is never skipped.
 */
export const testMysqlUrl = process.env.TEST_MYSQL_URL ?? "mysql://flashsale:flashsale@127.0.0.1:3306";

/** The shared Redis for tests that do not break it (fault tests start their own). */
export const testRedisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/9";

/** A fresh, empty database for one suite (or the benchmark, on its own server); drop() removes it. */
export async function freshDatabase(backend: Backend, mysqlServerUrl = testMysqlUrl): Promise<{ url: string; drop(): Promise<void> }> {
  if (backend === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "flash-sale-test-"));
    return { url: `sqlite:${join(dir, "test.sqlite")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `flashsale_t${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  await asAdmin(mysqlServerUrl, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  return { url: `${mysqlServerUrl}/${name}`, drop: () => asAdmin(mysqlServerUrl, `DROP DATABASE IF EXISTS \`${name}\``) };
}

/** One statement on the server, outside any database, on a connection of its own. */
async function asAdmin(serverUrl: string, sql: string): Promise<void> {
  const k = knexFactory({ client: "mysql2", connection: mysqlConnection(serverUrl), pool: { min: 0, max: 1 } });
  try {
    await k.raw(sql);
  } finally {
    await k.destroy();
  }
}

function mysqlConnection(serverUrl: string) {
  const url = new URL(serverUrl);
  return { host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}
