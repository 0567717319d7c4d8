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

/** A fresh, empty database for one suite; drop() removes it. */
export async function freshDatabase(backend: Backend): Promise<{ url: string; drop(): Promise<void> }> {
  if (backend === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "flash-sale-test-"));
    return { url: `sqlite:${join(dir, "test.sqlite")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `flashsale_t${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const admin = knexFactory({ client: "mysql2", connection: mysqlConnection(), pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  } finally {
    await admin.destroy();
  }
  return {
    url: `${testMysqlUrl}/${name}`,
    async drop() {
      const k = knexFactory({ client: "mysql2", connection: mysqlConnection(), pool: { min: 0, max: 1 } });
      try {
        await k.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await k.destroy();
      }
    },
  };
}

function mysqlConnection() {
  const url = new URL(testMysqlUrl);
  return { host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}
