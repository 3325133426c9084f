/** The throughput chart of docs/benchmarks.md: hand-rolled SVG, grouped bars per dataset size. */

export interface ThroughputPoint {
  records: number;
  /** Records per second. */
  patchbay: number;
  baseline: number;
  /** The per-record loop, where it was measured. */
  loop?: number | undefined;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const r1 = (n: number) => Math.round(n * 10) / 10;

export function throughputChart(points: ThroughputPoint[]): string {
  const series = [
    { name: "Patchbay full sync", color: "#2563eb", value: (p: ThroughputPoint) => p.patchbay },
    { name: "plain pg bulk upsert", color: "#9ca3af", value: (p: ThroughputPoint) => p.baseline },
    {
      name: "per-record loop (today)",
      color: "#f59e0b",
      value: (p: ThroughputPoint) => p.loop ?? Number.NaN,
    },
  ];
  const width = 640;
  const height = 360;
  const left = 70;
  const right = width - 20;
  const bottom = 290;
  const top = 50;
  const values = points.flatMap((p) => series.map((s) => s.value(p))).filter(Number.isFinite);
  const max = Math.max(1, ...values);
  const step = 10 ** Math.floor(Math.log10(max));
  const yMax = Math.ceil(max / step) * step;
  const y = (v: number) => r1(bottom - ((bottom - top) * v) / yMax);
  const groupWidth = (right - left) / Math.max(1, points.length);
  const bar = Math.min(60, (groupWidth - 40) / series.length);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12" role="img">`,
    "<title>Full sync into PostgreSQL over HTTP: records per second, Patchbay vs plain pg</title>",
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="14" font-weight="bold">Full sync into PostgreSQL over HTTP: records/s (higher is better)</text>`,
  ];
  for (let v = 0; v <= yMax; v += yMax / 5) {
    out.push(
      `<line x1="${left}" x2="${right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  points.forEach((p, g) => {
    const x0 = left + g * groupWidth + (groupWidth - bar * series.length) / 2;
    series.forEach((s, i) => {
      const v = s.value(p);
      if (!Number.isFinite(v)) return;
      const bx = r1(x0 + i * bar);
      out.push(
        `<rect x="${bx + 2}" y="${y(v)}" width="${r1(bar - 4)}" height="${r1(bottom - y(v))}" fill="${s.color}"><title>${s.name}, ${fmt(p.records)} records: ${fmt(v)} records/s</title></rect>`,
        `<text x="${r1(bx + bar / 2)}" y="${y(v) - 4}" text-anchor="middle" font-size="11">${fmt(v)}</text>`,
      );
    });
    out.push(
      `<text x="${r1(left + g * groupWidth + groupWidth / 2)}" y="${bottom + 18}" text-anchor="middle">${fmt(p.records)} records</text>`,
    );
  });
  out.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#374151"/>`);
  series.forEach((s, i) => {
    const lx = left + i * 185;
    out.push(
      `<rect x="${lx}" y="${height - 32}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${lx + 16}" y="${height - 22}">${s.name}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
