import type { Metrics } from "../platform/metrics";
import type { StockGate } from "./stock-gate";

/** The gate with its verdicts and releases counted for /metrics. */
export function observedGate(gate: StockGate, metrics: Metrics): StockGate {
  return {
    ...gate,
    async reserve(reservation) {
      const verdict = await gate.reserve(reservation);
      metrics.gate.inc({ verdict });
      return verdict;
    },
    async release(reservation, forgetRequest) {
      await gate.release(reservation, forgetRequest);
      metrics.gateReleases.inc({ cause: forgetRequest ? "attempt" : "order" }, reservation.quantity);
    },
  };
}
