import { createTokenBuckets } from "../access/rate-limiter";
import { type AttemptRate, type GateSnapshot, type Reservation, type ReserveResult, type StockGate, requestKey } from "./stock-gate";

interface GoodsState {
  total: number;
  limit: number;
  taken: number;
  perCustomer: Map<string, number>;
  requests: Set<string>;
  /** requestKey → reservation in flight, and when it was made. */
  pending: Map<string, { reservation: Reservation; at: number }>;
}

const keyOf = (r: Reservation) => requestKey(r.customerCode, r.requestId);

/**
 * The embedded default's gate: the same rules as the Redis script, in this
 * process's memory. Node runs one callback at a time, so each call is atomic.
 */
export function createLocalStockGate(attemptRate: AttemptRate, clock: () => number = Date.now): StockGate {
  const goods = new Map<string, GoodsState>();
  const attempts = attemptRate.ratePerSecond > 0 ? createTokenBuckets(attemptRate, clock) : undefined;

  /** Counts a request's units as taken by its member (a reservation, or an order recorded after its commit). */
  function hold(state: GoodsState, r: Reservation, key: string) {
    state.taken += r.quantity;
    state.perCustomer.set(r.customerCode, (state.perCustomer.get(r.customerCode) ?? 0) + r.quantity);
    state.requests.add(key);
  }

  function forget(state: GoodsState, r: Reservation, forgetRequest: boolean) {
    state.taken = Math.max(0, state.taken - r.quantity);
    const held = (state.perCustomer.get(r.customerCode) ?? 0) - r.quantity;
    if (held > 0) state.perCustomer.set(r.customerCode, held);
    else state.perCustomer.delete(r.customerCode);
    if (forgetRequest) state.requests.delete(keyOf(r));
  }

  return {
    async reserve(r) {
      // Nothing here awaits, so each call is atomic.
      const state = goods.get(r.flashGoodsId);
      if (!state) return "NOT_LOADED";
      if (attempts && !attempts.take(`${r.flashGoodsId} ${r.customerCode}`)) return "RATE_LIMITED";
      const key = keyOf(r);
      if (state.requests.has(key)) return "DUPLICATE";
      if ((state.perCustomer.get(r.customerCode) ?? 0) + r.quantity > state.limit) return "LIMIT_EXCEEDED";
      if (state.taken + r.quantity > state.total) return "SOLD_OUT";
      hold(state, r, key);
      state.pending.set(key, { reservation: r, at: clock() });
      return "RESERVED" satisfies ReserveResult;
    },

    async confirm(r) {
      goods.get(r.flashGoodsId)?.pending.delete(keyOf(r));
    },

    async record(r) {
      const state = goods.get(r.flashGoodsId);
      if (!state) return undefined;
      const key = keyOf(r);
      if (!state.requests.has(key)) hold(state, r, key);
      return state.total - state.taken;
    },

    async release(r, forgetRequest) {
      const state = goods.get(r.flashGoodsId);
      if (!state) return;
      const key = keyOf(r);
      if (forgetRequest && !state.pending.has(key)) return; // already released
      state.pending.delete(key);
      forget(state, r, forgetRequest);
    },

    async load(snapshot: GateSnapshot, staleAfterMs: number) {
      const previous = goods.get(snapshot.flashGoodsId);
      const state: GoodsState = {
        total: snapshot.totalStock,
        limit: snapshot.limitPerCustomer,
        taken: snapshot.soldStock,
        perCustomer: new Map(snapshot.perCustomer),
        requests: new Set(snapshot.requestKeys),
        pending: new Map(),
      };
      const now = clock();
      for (const [key, entry] of previous?.pending ?? []) {
        if (now - entry.at > staleAfterMs || state.requests.has(key)) continue; // stranded, or committed meanwhile
        const r = entry.reservation;
        state.pending.set(key, entry);
        state.requests.add(key);
        state.taken += r.quantity;
        state.perCustomer.set(r.customerCode, (state.perCustomer.get(r.customerCode) ?? 0) + r.quantity);
      }
      goods.set(snapshot.flashGoodsId, state);
    },

    async inspect(flashGoodsId, staleAfterMs) {
      const state = goods.get(flashGoodsId);
      if (!state) return undefined;
      const now = clock();
      let inFlight = 0;
      let stranded = 0;
      for (const { reservation, at } of state.pending.values()) {
        if (now - at > staleAfterMs) stranded++;
        else inFlight += reservation.quantity;
      }
      return { total: state.total, taken: state.taken, inFlight, stranded };
    },

    async close() {},
  };
}
