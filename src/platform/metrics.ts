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
    latency: methodHistogram(registry, "flashsale_grpc_request_duration_seconds", "Call latency by method, from arrival to answer", [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
    gate: new Counter({ name: "flashsale_gate_verdicts_total", help: "Stock gate answers to reservation attempts", labelNames: ["verdict"], registers }),
    gateSkipped: new Counter({ name: "flashsale_gate_skipped_total", help: "Order attempts let through without asking the stock gate while units were plentiful (GATE_SKIP_ABOVE); flashsale_gate_verdicts_total counts them as RESERVED", registers }),
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
 * A histogram labelled by method, for the one observation every call makes:
 * plain bucket counts per method, turned into Prometheus' cumulative buckets
 * only when scraped. prom-client's Histogram validates and hashes the label
 * set on every observe, even through labels() (2-3 µs per call in the
 * all-win profile); this is a bucket search and three additions.
 */
function methodHistogram(registry: Registry, name: string, help: string, buckets: number[]) {
  const series = new Map<string, { counts: number[]; sum: number; count: number }>();
  const values = () =>
    [...series].flatMap(([method, s]) => {
      let cumulative = 0;
      return [
        ...buckets.map((le, i) => ({ metricName: `${name}_bucket`, labels: { method, le }, value: (cumulative += s.counts[i]) })),
        { metricName: `${name}_bucket`, labels: { method, le: "+Inf" }, value: s.count },
        { metricName: `${name}_sum`, labels: { method }, value: s.sum },
        { metricName: `${name}_count`, labels: { method }, value: s.count },
      ];
    });
  registry.registerMetric({
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    get: async () => ({ name, help, type: "histogram", aggregator: "sum", values: values() }),
    // Zeroed in place: the callers hold their method's series (labels() is resolved once).
    reset: () => {
      for (const s of series.values()) {
        s.counts.fill(0);
        s.sum = 0;
        s.count = 0;
      }
    },
  } as unknown as Histogram);
  return {
    labels({ method }: { method: string }) {
      const s = series.get(method) ?? { counts: buckets.map(() => 0), sum: 0, count: 0 };
      series.set(method, s);
      return {
        observe(seconds: number) {
          let i = 0;
          while (i < buckets.length && seconds > buckets[i]) i++;
          if (i < buckets.length) s.counts[i]++;
          s.sum += seconds;
          s.count++;
        },
      };
    },
  };
}

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
