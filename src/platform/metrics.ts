import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The service's Prometheus metrics, in a registry of its own (one per running
 * service, so two in one process never mix). Served as text at /metrics on
 * the HTTP port.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "flashsale_" });
  const registers = [registry];
  return {
    registry,
    calls: new Counter({ name: "flashsale_grpc_requests_total", help: "Calls by method, gRPC code and ErrorInfo reason (OK when none)", labelNames: ["method", "code", "reason"], registers }),
    latency: new Histogram({
      name: "flashsale_grpc_request_duration_seconds",
      help: "Call latency by method, from arrival to answer",
      labelNames: ["method"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    gate: new Counter({ name: "flashsale_gate_verdicts_total", help: "Stock gate answers to reservation attempts", labelNames: ["verdict"], registers }),
    gateReleases: new Counter({ name: "flashsale_gate_releases_total", help: "Units given back to the gate (failed attempts, cancellations, expiries)", labelNames: ["cause"], registers }),
    batchSize: new Histogram({ name: "flashsale_order_batch_size", help: "Orders per group-commit transaction", buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000], registers }),
    batchSeconds: new Histogram({ name: "flashsale_order_batch_commit_seconds", help: "Duration of one group-commit transaction", buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers }),
    jobRuns: new Counter({ name: "flashsale_job_runs_total", help: "Background job runs by job and result", labelNames: ["job", "result"], registers }),
    expired: new Counter({ name: "flashsale_orders_expired_total", help: "Unpaid orders expired by this instance", registers }),
    reconciled: new Counter({ name: "flashsale_gate_goods_reconciled_total", help: "Goods whose gate disagreed with the database and was rebuilt from it (reconciliation repairs)", registers }),
    /** Gauges read at scrape time (stock per goods on sale, pool, Redis). */
    gauge(name: string, help: string, labelNames: string[], collect: (g: Gauge) => Promise<void> | void) {
      return new Gauge({ name, help, labelNames, registers, async collect() { await collect(this); } });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * A metric's series per label set, resolved once per distinct key: prom-client
 * hashes the label object on every inc/observe that names it, which the hot
 * paths (every call, every gate verdict) should not pay.
 */
export function seriesCache<S>(): (key: string, resolve: () => S) => S {
  const series = new Map<string, S>();
  return (key, resolve) => {
    let found = series.get(key);
    if (found === undefined) series.set(key, (found = resolve()));
    return found;
  };
}
