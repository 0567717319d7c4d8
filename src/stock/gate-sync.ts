import type { GoodsRepository } from "../goods/goods";
import type { OrderRepository } from "../order/order";
import type { StockGate } from "./stock-gate";

/**
 * Keeps the gate in step with the database, the source of truth: loads a
 * goods on first use, warms every open goods at start, and reconciles on a
 * timer (which also returns reservations stranded by a crash to sale). Safe on
 * N instances at once: each load replaces the gate's view with the database's.
 */
export function createGateSync({ gate, goods, orders, staleAfterMs, clock = Date.now }: {
  gate: StockGate;
  goods: GoodsRepository;
  orders: OrderRepository;
  staleAfterMs: number;
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

  return {
    loadGoods,
    /**
     * Repairs every goods whose period has not ended and whose gate disagrees
     * with the database (taken ≠ sold + reservations in flight, or a stranded
     * reservation, or not loaded); returns how many were rebuilt. A goods in
     * step costs one small script, not a reload of all its orders.
     */
    async reconcileAll(): Promise<number> {
      let repaired = 0;
      for (const g of await goods.listGoodsOnSaleOrUpcoming(clock())) {
        const view = await gate.inspect(g.flashGoodsId, staleAfterMs);
        if (view && view.stranded === 0 && view.taken === g.soldStock + view.inFlight) continue;
        await loadGoods(g.flashGoodsId);
        repaired++;
      }
      return repaired;
    },
  };
}

export type GateSync = ReturnType<typeof createGateSync>;
