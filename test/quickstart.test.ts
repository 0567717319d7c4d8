import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { FlashGoodsServiceClient, QueryPeriodsRequest, type QueryPeriodsResponse } from "../gen/flashsale/goods/v1/flash_goods_service";
import { PeriodStatus } from "../gen/flashsale/goods/v1/goods";

/**
 * The README path of a new user: `npm start` with nothing but a database file
 * and free ports, then the two commands the banner prints, then Ctrl-C/SIGTERM.
 */

const root = join(__dirname, "..");
const saleZone = "Asia/Shanghai";
const bannerTimeoutMs = 90_000;
const stopTimeoutMs = 15_000;
/** Past two runs of the expiry job (every 5 s by default) and one of reconciliation (every 10 s). */
const uptimeMs = 12_000;
const run = promisify(execFile);

/** "YYYY-MM-DD" of an instant in the sale time zone. */
function dayIn(zone: string, at: number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** Whether any process of the group is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

interface Banner {
  grpcPort: number;
  curl: string;
  grpcurl: string;
}

describe("quickstart: `npm start` on the embedded default, as a new user runs it", function () {
  this.timeout(bannerTimeoutMs + 60_000);

  let dir: string;
  let child: ChildProcess;
  let stdout = "";
  let stderr = "";
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let banner: Banner;
  let bannerAt: number;

  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flash-sale-quickstart-"));
    const env: NodeJS.ProcessEnv = { ...process.env };
    // A new user has none of the service's settings: only the ones this test sets.
    for (const key of ["DATABASE_URL", "REDIS_URL", "HOST", "GRPC_PORT", "HTTP_PORT", "SALE_TIME_ZONE", "DEMO_DATA", "LOG_LEVEL"]) delete env[key];
    Object.assign(env, { DATABASE_URL: `sqlite:${join(dir, "x.sqlite")}`, GRPC_PORT: "0", HTTP_PORT: "0" });

    // Own process group: npm runs the script through `sh -c`, so the group is how a signal reaches node.
    child = spawn("npm", ["start"], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));

    banner = await new Promise<Banner>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within ${bannerTimeoutMs} ms\n${output()}`)), bannerTimeoutMs);
      child.stdout!.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const lines = stdout.split("\n");
        const curl = lines.find((l) => l.startsWith("  curl ") && stdout.includes(`${l}\n`));
        const grpcurl = lines.find((l) => l.startsWith("  grpcurl ") && stdout.includes(`${l}\n`));
        const grpcLine = /^ {2}gRPC +[^\s:]+:(\d+)/m.exec(stdout);
        if (curl && grpcurl && grpcLine) {
          clearTimeout(timer);
          bannerAt = Date.now();
          resolve({ grpcPort: Number(grpcLine[1]), curl: curl.trim(), grpcurl: grpcurl.trim() });
        }
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (${code ?? signal}) before printing its banner\n${output()}`));
      });
    });
  });

  after(async () => {
    if (child?.pid && groupAlive(child.pid)) {
      process.kill(-child.pid, "SIGKILL");
      for (let i = 0; i < 50 && groupAlive(child.pid); i++) await new Promise((r) => setTimeout(r, 100));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("when the printed curl line is run as printed, then it returns today's periods (Asia/Shanghai) with exactly one ongoing", async () => {
    const dayBefore = dayIn(saleZone, Date.now());
    const { stdout: body } = await run("sh", ["-c", banner.curl], { timeout: 20_000 });
    const dayAfter = dayIn(saleZone, Date.now());
    let json: { periods?: { id: string; title: string; startTime: number; endTime: number; status: string }[] };
    try {
      json = JSON.parse(body);
    } catch {
      assert.fail(`curl did not print JSON: ${body}`);
    }
    assert.ok(Array.isArray(json.periods) && json.periods.length > 0, `no periods: ${body}`);
    for (const p of json.periods) {
      assert.equal(typeof p.startTime, "number", `startTime should be a JSON number: ${body}`);
      assert.ok([dayBefore, dayAfter].includes(dayIn(saleZone, p.startTime)), `period ${p.title} does not start today in ${saleZone}: ${body}`);
    }
    const ongoing = json.periods.filter((p) => p.status === "PERIOD_STATUS_ONGOING");
    assert.equal(ongoing.length, 1, `expected exactly one ongoing period: ${body}`);
    const now = Date.now();
    assert.ok(ongoing[0].startTime <= now && now < ongoing[0].endTime, `the ongoing period is not running now: ${JSON.stringify(ongoing[0])}`);
  });

  it("when the printed grpcurl line is performed with a generated client, then it names the printed gRPC port and QueryPeriods answers the same periods", async () => {
    assert.ok(banner.grpcurl.includes(` 127.0.0.1:${banner.grpcPort} `), `grpcurl line should name 127.0.0.1:${banner.grpcPort}: ${banner.grpcurl}`);
    assert.ok(banner.grpcurl.endsWith(" flashsale.goods.v1.FlashGoodsService/QueryPeriods"), `grpcurl line should call QueryPeriods: ${banner.grpcurl}`);
    const data = /\s-d\s+'([^']*)'/.exec(banner.grpcurl);
    assert.ok(data, `grpcurl line has no -d '<json>': ${banner.grpcurl}`);

    const client = new FlashGoodsServiceClient(`127.0.0.1:${banner.grpcPort}`, grpc.credentials.createInsecure());
    try {
      const response = await new Promise<QueryPeriodsResponse>((resolve, reject) =>
        client.queryPeriods(QueryPeriodsRequest.fromJSON(JSON.parse(data[1])), new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err, res) =>
          err ? reject(err) : resolve(res),
        ),
      );
      assert.ok(response.periods.length > 0, "QueryPeriods over gRPC returned no periods");
      assert.equal(response.periods.filter((p) => p.status === PeriodStatus.PERIOD_STATUS_ONGOING).length, 1);

      const { stdout: body } = await run("sh", ["-c", banner.curl], { timeout: 20_000 });
      const viaJson = JSON.parse(body).periods.map((p: { id: string }) => p.id);
      assert.deepEqual(response.periods.map((p) => p.id), viaJson, "gRPC and the JSON gateway list different periods");
    } finally {
      client.close();
    }
  });

  it(`when the service has been up ${uptimeMs / 1000} s and its background jobs have run, then the printed curl line still answers promptly`, async () => {
    const wait = bannerAt + uptimeMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const started = Date.now();
    let body: string;
    try {
      ({ stdout: body } = await run("sh", ["-c", banner.curl], { timeout: 10_000 }));
    } catch (err) {
      assert.fail(`the printed curl line failed after ${Date.now() - started} ms of waiting (${(err as Error).message.split("\n")[0]})\n${output()}`);
    }
    assert.ok(JSON.parse(body).periods.length > 0, body);
  });

  it(`when npm start gets SIGTERM, then it exits 0 within ${stopTimeoutMs / 1000} s and leaves no server process behind`, async () => {
    const pgid = child.pid!;
    process.kill(-pgid, "SIGTERM");
    const result = await Promise.race([
      exited,
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), stopTimeoutMs).unref()),
    ]);
    assert.notEqual(result, "timeout", `npm start still running ${stopTimeoutMs} ms after SIGTERM\n${output()}`);
    assert.deepEqual(result, { code: 0, signal: null }, `npm start should exit 0 after SIGTERM\n${output()}`);
    for (let i = 0; i < 20 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(groupAlive(pgid), false, `a process of npm start's group is still running after npm exited\n${output()}`);
  });
});
