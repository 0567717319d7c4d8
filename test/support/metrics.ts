/** The value of one sample line of the Prometheus text, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([^{\s]+)(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** One counter or gauge of a running service's /metrics (undefined when it has no sample yet). */
export async function metricOf(httpPort: number, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  return sample(await res.text(), name, labels);
}
