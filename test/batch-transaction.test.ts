import assert from "node:assert/strict";
import { migrateToLatest } from "../src/db/migrate";
import { type Database, inBatchTransaction, openDatabase, type Statement } from "../src/platform/db";
import { type Backend, freshDatabase } from "./support/databases";

/**
 * inBatchTransaction sends statements in groups (one round trip per group on
 * MySQL, COMMIT riding with the last). What the order batch relies on: results
 * one per statement, all or nothing, and a pool that stays usable after a
 * failure anywhere in a group.
 */
for (const backend of ["sqlite", "mysql"] as Backend[]) {
  describe(`a transaction sent in groups (${backend})`, function () {
    this.timeout(30_000);
    let fresh: { url: string; drop(): Promise<void> };
    let db: Database;

    before(async () => {
      fresh = await freshDatabase(backend);
      db = openDatabase(`${fresh.url}${backend === "mysql" ? "?pool=1" : ""}`);
      await migrateToLatest(db.knex);
      await db.knex("customers").insert([
        { customer_id: "a", status: "EFC", updated_at: 1 },
        { customer_id: "b", status: "EFC", updated_at: 1 },
      ]);
    });
    after(async () => {
      await db.knex.destroy();
      await fresh.drop();
    });

    const setStatus = (id: string, status: string): Statement => ({ sql: "update customers set status = ? where customer_id = ?", bindings: [status, id] });
    const status = async (id: string) => (await db.knex("customers").where({ customer_id: id }).first("status")).status;

    it("when two groups run, the second with the commit, then each statement's result comes back in order and the writes are kept", async () => {
      const results = await inBatchTransaction(db, async (tx) => {
        const first = await tx.send([
          setStatus("a", "FRZ"),
          { sql: "select customer_id, status from customers where customer_id in (?, ?) order by customer_id", bindings: ["a", "b"] },
          setStatus("nobody", "FRZ"),
        ]);
        const second = await tx.send([setStatus("b", "CCL")], { commit: true });
        return [...first, ...second];
      });
      // Rows compared as plain data (the MySQL driver's row objects are its own).
      assert.deepEqual(JSON.parse(JSON.stringify(results)), [1, [{ customer_id: "a", status: "FRZ" }, { customer_id: "b", status: "EFC" }], 0, 1]);
      assert.equal(await status("a"), "FRZ");
      assert.equal(await status("b"), "CCL");
    });

    it("when a statement fails in the group that carries the commit, then the earlier groups' writes are rolled back and the pool still works", async () => {
      await assert.rejects(
        inBatchTransaction(db, async (tx) => {
          await tx.send([setStatus("a", "EFC")]);
          // A duplicate primary key, then a write that must not run.
          await tx.send([{ sql: "insert into customers (customer_id, status, updated_at) values (?, ?, ?)", bindings: ["b", "EFC", 2] }, setStatus("b", "EFC")], { commit: true });
        }),
      );
      assert.equal(await status("a"), "FRZ");
      assert.equal(await status("b"), "CCL");
      // The one pooled connection (MySQL ?pool=1) was rolled back and released.
      const n = await inBatchTransaction(db, async (tx) => (await tx.send([{ sql: "update customers set updated_at = ?", bindings: [3] }], { commit: true }))[0]);
      assert.equal(n, 2);
    });

    it("when the work throws between groups, then nothing it sent is kept", async () => {
      await assert.rejects(
        inBatchTransaction(db, async (tx) => {
          await tx.send([setStatus("a", "CCL")]);
          throw new Error("decided against it");
        }),
        /decided against it/,
      );
      assert.equal(await status("a"), "FRZ");
    });

    it("when the work sends its last group without the commit flag, then it is committed when the work returns", async () => {
      await inBatchTransaction(db, async (tx) => void (await tx.send([setStatus("a", "EFC")])));
      assert.equal(await status("a"), "EFC");
    });

    it("when the group that carries the commit has no statements, then it commits the earlier groups and returns no results", async () => {
      const results = await inBatchTransaction(db, async (tx) => {
        await tx.send([setStatus("b", "EFC")]);
        return tx.send([], { commit: true });
      });
      assert.deepEqual(results, []);
      assert.equal(await status("b"), "EFC");
    });
  });
}
