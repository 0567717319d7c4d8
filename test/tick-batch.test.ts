import assert from "node:assert/strict";
import { batchPerTick } from "../src/platform/tick-batch";

/** The per-turn coalescer in front of the Redis gate's scripts. */
describe("calls batched per event-loop turn", () => {
  it("when calls for two keys are made in one turn, then each key is sent once with its items in call order and each caller gets its own result", async () => {
    const sent: [string, number[]][] = [];
    const call = batchPerTick<number, string>(async (key, items) => {
      sent.push([key, items]);
      return items.map((n) => `${key}:${n}`);
    });
    const results = await Promise.all([call("a", 1), call("b", 2), call("a", 3), call("a", 4)]);
    assert.deepEqual(results, ["a:1", "b:2", "a:3", "a:4"]);
    assert.deepEqual(sent, [["a", [1, 3, 4]], ["b", [2]]]);
  });

  it("when calls are made in different turns, then they are sent separately", async () => {
    let sends = 0;
    const call = batchPerTick<number, number>(async (_key, items) => (sends++, items));
    assert.equal(await call("k", 1), 1);
    assert.equal(await call("k", 2), 2);
    assert.equal(sends, 2);
  });

  it("when more calls than the largest batch are made in one turn, then they are sent in chunks of that size", async () => {
    const sizes: number[] = [];
    const call = batchPerTick<number, number>(async (_key, items) => (sizes.push(items.length), items.map((n) => n * 2)), 3);
    assert.deepEqual(await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => call("k", n))), [2, 4, 6, 8, 10, 12, 14]);
    assert.deepEqual(sizes, [3, 3, 1]);
  });

  it("when a send fails, then every caller of that send gets the error and the other key's callers do not", async () => {
    const call = batchPerTick<number, number>(async (key, items) => {
      if (key === "bad") throw new Error("redis is away");
      return items;
    });
    const results = await Promise.allSettled([call("bad", 1), call("good", 2), call("bad", 3)]);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "fulfilled", "rejected"]);
    assert.match(String((results[0] as PromiseRejectedResult).reason), /redis is away/);
  });
});
