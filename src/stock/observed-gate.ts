import { type Metrics, seriesCache } from "../platform/metrics";
import type { StockGate } from "./stock-gate";

/** The gate with its verdicts and releases counted for /metrics. */
export function observedGate(gate: StockGate, metrics: Metrics): StockGate {
  const verdicts = seriesCache<{ inc(): void }>();
  return {
    ...gate,
    // A plain .then, not an async wrapper: every attempt passes here, and an
    // async function adds a promise and a microtask hop of its own.
    reserve: (reservation) =>
      gate.reserve(reservation).then((verdict) => {
        verdicts(verdict, () => metrics.gate.labels({ verdict })).inc();
        return verdict;
      }),
    async release(reservation, forgetRequest) {
      await gate.release(reservation, forgetRequest);
      metrics.gateReleases.inc({ cause: forgetRequest ? "attempt" : "order" }, reservation.quantity);
    },
  };
}
