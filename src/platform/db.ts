import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import knexFactory, { type Knex } from "knex";
import type { Logger } from "./logger";

export type Dialect = "mysql" | "sqlite";

export interface Database {
  knex: Knex;
  dialect: Dialect;
}

/** Opens the database named by DATABASE_URL: MySQL/MariaDB, or the embedded SQLite file. */
export function openDatabase(databaseUrl: string, logger?: Logger): Database {
  // knex and its pool report lost connections through this, not the console.
  const log = logger && {
    warn: (m: unknown) => logger.warn("database", { detail: String(m) }),
    error: (m: unknown) => logger.warn("database", { detail: String(m) }),
    deprecate: () => undefined,
    debug: () => undefined,
  };
  if (databaseUrl.startsWith("sqlite:")) {
    const filename = databaseUrl.slice("sqlite:".length) || ":memory:";
    if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true });
    const knex = knexFactory({
      client: "better-sqlite3",
      connection: { filename },
      useNullAsDefault: true,
      log,
      // One connection: SQLite has one writer anyway, and one connection makes
      // every transaction strictly serial, which the order writer relies on.
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
          conn.pragma("journal_mode = WAL");
          conn.pragma("synchronous = NORMAL");
          conn.pragma("busy_timeout = 5000");
          done(null, conn);
        },
      },
    });
    return { knex, dialect: "sqlite" };
  }
  const url = new URL(databaseUrl.replace(/^mysql2:/, "mysql:"));
  const knex = knexFactory({
    client: "mysql2",
    connection: {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.replace(/^\//, ""),
      charset: "utf8mb4",
      connectTimeout: 2000,
      // Times are stored as epoch-millisecond BIGINTs; they fit a JS number exactly.
      supportBigNumbers: true,
      // inBatchTransaction sends several statements in one round trip. Every
      // statement of this service binds its values (knex, or fixed SQL text
      // with ? placeholders), never pastes input into SQL text, so this
      // widens nothing an input reaches.
      multipleStatements: true,
    },
    pool: {
      min: 0,
      max: Number(url.searchParams.get("pool") ?? 20),
      // READ COMMITTED for every transaction of the service: reads that follow
      // a lock (the order batch, cancel, expiry) must see what the previous
      // holder committed, and inserts take no gap locks that deadlock
      // concurrent writers. Set once per connection, not per transaction.
      afterCreate(conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
        conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", (err) => done(err, conn));
      },
    },
    acquireConnectionTimeout: 3000,
    log,
  });
  return { knex, dialect: "mysql" };
}

/** True when a write hit a unique or primary key (MySQL ER_DUP_ENTRY, SQLite constraint). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ER_DUP_ENTRY" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** Number of rows a knex `update`/`del` touched (knex returns a count for both clients). */
export function affected(result: number | unknown): number {
  return typeof result === "number" ? result : Number(result);
}

/**
 * A transaction (READ COMMITTED on MySQL, see openDatabase), retried a few
 * times when MySQL picks it as a deadlock victim. SQLite runs transactions one
 * at a time on its single connection.
 */
export async function inTransaction<T>(db: Database, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.knex.transaction(work);
    } catch (err) {
      if (!isDeadlock(err) || attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 5 * attempt));
    }
  }
}

/**
 * One SQL statement with `?` placeholders and its values, written out by the
 * caller: the order batch's statements are few and fixed, and building them
 * through knex's query builder cost more per order than the rest of the batch
 * (measured: ~10 µs of the service's CPU per order at 70-order batches).
 */
export interface Statement {
  sql: string;
  bindings: readonly unknown[];
}

/**
 * A transaction whose statements travel in groups. On MySQL each `send` is one
 * round trip (the statements joined, the first group opening the transaction,
 * `commit: true` letting COMMIT ride along with the last group; mysql2 escapes
 * the values once, client-side); on SQLite the statements run one by one on
 * its single connection. Results come back one per statement: rows for a
 * select, the number of rows touched otherwise.
 */
export interface BatchTransaction {
  send(statements: Statement[], options?: { commit?: boolean }): Promise<unknown[]>;
}

/**
 * Runs `work` in a READ COMMITTED transaction (see openDatabase) that sends
 * its statements in groups: the order writer's batch needs two round trips
 * instead of one per statement. A failure rolls back; the caller retries.
 */
export async function inBatchTransaction<T>(db: Database, work: (tx: BatchTransaction) => Promise<T>): Promise<T> {
  if (db.dialect === "sqlite") {
    return db.knex.transaction((trx) =>
      work({
        async send(statements) {
          const results: unknown[] = [];
          for (const s of statements) {
            const r: unknown = await trx.raw(s.sql, s.bindings as Knex.RawBinding[]);
            results.push(Array.isArray(r) ? r : (r as { changes: number }).changes);
          }
          return results;
        },
      }),
    );
  }
  const client = db.knex.client as { acquireConnection(): Promise<RawMysqlConnection>; releaseConnection(conn: RawMysqlConnection): void };
  const conn = await client.acquireConnection();
  let begun = false;
  let committed = false;
  try {
    const result = await work({
      async send(statements, options = {}) {
        // Plain loops: the order batch's bindings run to a thousand values,
        // and flatMap copied them at several times the cost (profiled).
        let sql = begun ? "" : "START TRANSACTION";
        const values: unknown[] = [];
        for (const s of statements) {
          sql += sql === "" ? s.sql : `;\n${s.sql}`;
          for (const v of s.bindings) values.push(v);
        }
        if (options.commit) sql += sql === "" ? "COMMIT" : ";\nCOMMIT";
        const sent = statements.length + (begun ? 0 : 1) + (options.commit ? 1 : 0);
        const results = await rawQuery(conn, sql, values);
        const list = sent > 1 ? (results as unknown[]) : [results];
        const first = begun ? 0 : 1;
        begun = true;
        committed = options.commit === true;
        const ours: unknown[] = [];
        for (let i = first; i < first + statements.length; i++) {
          const r = list[i];
          ours.push(Array.isArray(r) ? r : (r as { affectedRows: number }).affectedRows);
        }
        return ours;
      },
    });
    if (begun && !committed) await rawQuery(conn, "COMMIT", []);
    return result;
  } catch (err) {
    // A connection that cannot even roll back is closed, so the pool drops it.
    if (begun && !committed) await rawQuery(conn, "ROLLBACK", []).catch(() => conn.destroy());
    throw err;
  } finally {
    client.releaseConnection(conn);
  }
}

interface RawMysqlConnection {
  query(sql: string, values: unknown[], cb: (err: Error | null, results: unknown) => void): void;
  destroy(): void;
}

function rawQuery(conn: RawMysqlConnection, sql: string, values: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => conn.query(sql, values, (err, results) => (err ? reject(err) : resolve(results))));
}

export function isDeadlock(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ER_LOCK_DEADLOCK" || code === "SQLITE_BUSY";
}
