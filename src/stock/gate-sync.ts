import type { GoodsRepository } from "../goods/goods";
import type { OrderRepository } from "../order/order";
import type { GateView, StockGate } from "./stock-gate";

/**
 * Keeps the gate in step with the database, the source of truth: loads a
 * goods on first use, warms every open goods at start, and reconciles on a
 * timer (which also returns reservations stranded by a crash to sale). Safe on
 * N instances at once: each load replaces the gate's view with the database's.
 */
export function createGateSync({ gate, goods, orders, staleAfterMs, settleMs = 100, clock = Date.now }: {
  gate: StockGate;
  goods: GoodsRepository;
  orders: OrderRepository;
  staleAfterMs: number;
  /** How long reconciliation waits before it looks again at a goods that seemed out of step. */
  settleMs?: number;
  clock?: () => number;
}) {
  // One load per goods at a time in this process: a crowd that finds the gate
  // empty (after a Redis flush or restart) triggers one rebuild, not thousands.
  const loading = new Map<string, Promise<boolean>>();

  function loadGoods(flashGoodsId: string): Promise<boolean> {
    let load = loading.get(flashGoodsId);
    if (!load) {
      load = (async () => {
        const snapshot = await orders.stockSnapshot(flashGoodsId);
        if (!snapshot) return false;
        await gate.load(snapshot, staleAfterMs);
        return true;
      })().finally(() => loading.delete(flashGoodsId));
      loading.set(flashGoodsId, load);
    }
    return load;
  }

  /** Gate, units sold, gate again: see inStep. */
  async function look(flashGoodsId: string): Promise<"IN_STEP" | "DRIFTED" | "BROKEN" | "GONE"> {
    const before = await gate.inspect(flashGoodsId, staleAfterMs);
    const sold = (await goods.findGoods(flashGoodsId))?.goods.soldStock;
    const after = await gate.inspect(flashGoodsId, staleAfterMs);
    if (sold === undefined) return "GONE";
    if (!before || !after || after.stranded > 0) return "BROKEN"; // not loaded, or a reservation stranded by a crash
    return inStep(before, sold, after) ? "IN_STEP" : "DRIFTED";
  }

  return {
    loadGoods,
    /**
     * Repairs every goods whose period has not ended and whose gate disagrees
     * with the database (see inStep) twice, settleMs apart, holds a stranded
     * reservation, or is not loaded; returns how many were rebuilt. A goods in
     * step costs two small scripts and a one-row read, not a reload of all its
     * orders. Looking twice spares the goods on sale a rebuild for an order
     * committed without a reservation (plentiful-gate.ts) whose count was on
     * its way to the gate during the first look.
     */
    async reconcileAll(): Promise<number> {
      let repaired = 0;
      for (const { flashGoodsId } of await goods.listGoodsOnSaleOrUpcoming(clock())) {
        let state = await look(flashGoodsId);
        if (state === "DRIFTED") {
          await new Promise((resolve) => setTimeout(resolve, settleMs));
          state = await look(flashGoodsId);
        }
        if (state === "IN_STEP" || state === "GONE") continue;
        await loadGoods(flashGoodsId);
        repaired++;
      }
      return repaired;
    },
  };
}

export type GateSync = ReturnType<typeof createGateSync>;

/**
 * Whether the gate agrees with the database's units sold, read between two
 * looks at the gate. The gate's taken = units of confirmed orders + units in
 * flight (reserved, committed or not); an order is committed before it is
 * confirmed. (An order that skipped the gate is counted only after it
 * committed: reconcileAll looks twice before it calls that drift.) So, with no drift, every unit confirmed at the first look is
 * sold at the read, and every unit sold at the read is confirmed or in
 * flight at the second look:
 *   before.taken - before.inFlight <= sold <= after.taken.
 * Comparing one look with sold for equality, as this did, failed whenever
 * orders committed or were confirmed between the two reads: it rebuilt the
 * goods being sold (all its orders read and reloaded) mid-sale, 4 times in
 * ~50 passes of a bench all-win.
 * (A cancellation or expiry landing between the reads can still look like
 * drift once; the rebuild it causes is harmless.)
 */
export function inStep(before: GateView, sold: number, after: GateView): boolean {
  return before.taken - before.inFlight <= sold && sold <= after.taken;
}
