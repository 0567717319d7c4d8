/** A small SVG chart: throughput bars (left) and p50/p99 latency bars (right) per scenario. */
export function renderChart(rows: { name: string; rps: number; p50: number; p99: number }[]): string {
  const rowH = 26;
  const top = 40;
  const label = 170;
  const barW = 300;
  const gap = 60;
  const width = label + barW + gap + barW + 80;
  const height = top + rows.length * rowH + 30;
  const maxRps = Math.max(...rows.map((r) => r.rps), 1);
  const maxMs = Math.max(...rows.map((r) => r.p99), 1);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${label}" y="20" font-weight="bold">throughput (calls/s; OK orders/s for all-win and naive)</text>`,
    `<text x="${label + barW + gap}" y="20" font-weight="bold">latency ms (p50 dark, p99 light)</text>`,
  ];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = (r.rps / maxRps) * barW;
    const w50 = (r.p50 / maxMs) * barW;
    const w99 = (r.p99 / maxMs) * barW;
    const x2 = label + barW + gap;
    parts.push(
      `<text x="${label - 8}" y="${y + 14}" text-anchor="end">${esc(r.name)}</text>`,
      `<rect x="${label}" y="${y}" width="${w.toFixed(1)}" height="18" fill="#3b7dd8"/>`,
      `<text x="${label + w + 4}" y="${y + 14}">${r.rps.toFixed(0)}</text>`,
      `<rect x="${x2}" y="${y}" width="${w99.toFixed(1)}" height="18" fill="#f2b36b"/>`,
      `<rect x="${x2}" y="${y}" width="${w50.toFixed(1)}" height="18" fill="#d9731c"/>`,
      `<text x="${x2 + w99 + 4}" y="${y + 14}">${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}
