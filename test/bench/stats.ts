/** Percentile of a sample (nearest rank), in the sample's unit. */
export function percentile(sample: number[], p: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface Row {
  name: string;
  value: number;
  unit: string;
}

export function formatRows(title: string, rows: Row[]): string {
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  return [
    `== ${title}`,
    ...rows.map(
      (r) => `  ${r.name.padEnd(width)}  ${Number.isInteger(r.value) ? r.value : r.value.toFixed(2)} ${r.unit}`,
    ),
  ].join('\n');
}
