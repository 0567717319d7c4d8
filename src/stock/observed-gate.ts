import type { Metrics } from "../platform/metrics";
import type { ReserveResult, StockGate } from "./stock-gate";

/** The gate with its verdicts and releases counted for /metrics. */
export function observedGate(gate: StockGate, metrics: Metrics): StockGate {
  // One series per verdict, resolved once (not hashed per attempt).
  const verdicts = new Map<ReserveResult, { inc(): void }>();
  return {
    ...gate,
    async reserve(reservation) {
      const verdict = await gate.reserve(reservation);
      let counter = verdicts.get(verdict);
      if (!counter) verdicts.set(verdict, (counter = metrics.gate.labels({ verdict })));
      counter.inc();
      return verdict;
    },
    async release(reservation, forgetRequest) {
      await gate.release(reservation, forgetRequest);
      metrics.gateReleases.inc({ cause: forgetRequest ? "attempt" : "order" }, reservation.quantity);
    },
  };
}
