import { type Metrics, seriesCache } from "../platform/metrics";
import type { StockGate } from "./stock-gate";

/** The gate with its verdicts and releases counted for /metrics. */
export function observedGate(gate: StockGate, metrics: Metrics): StockGate {
  const verdicts = seriesCache<{ inc(): void }>();
  return {
    ...gate,
    async reserve(reservation) {
      const verdict = await gate.reserve(reservation);
      verdicts(verdict, () => metrics.gate.labels({ verdict })).inc();
      return verdict;
    },
    async release(reservation, forgetRequest) {
      await gate.release(reservation, forgetRequest);
      metrics.gateReleases.inc({ cause: forgetRequest ? "attempt" : "order" }, reservation.quantity);
    },
  };
}
