/**
 * A dependency-free SVG line chart: completed payments per second (left axis) and p50/p99 latency
 * (right axis) over the seconds of each run, one panel per run, so the figures in a results table
 * can be seen as they happened (warm-up, a kill, a rebalance, a broker restart).
 */
export interface ChartSeries {
  title: string;
  points: Array<{ second: number; completed: number; p50Ms: number; p99Ms: number }>;
  /** Seconds to mark with a vertical line and a label (a kill, a restart). */
  marks?: Array<{ second: number; label: string }>;
}

const WIDTH = 900;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 60, right: 70, top: 36, bottom: 34 };

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function panel(series: ChartSeries, offsetY: number): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const seconds = Math.max(1, ...series.points.map((p) => p.second));
  const maxRate = niceMax(Math.max(...series.points.map((p) => p.completed), 1));
  const maxLatency = niceMax(Math.max(...series.points.map((p) => p.p99Ms), 1));
  const x = (second: number) => MARGIN.left + (second / seconds) * plotWidth;
  const yRate = (value: number) => offsetY + MARGIN.top + plotHeight - (value / maxRate) * plotHeight;
  const yLatency = (value: number) => offsetY + MARGIN.top + plotHeight - (value / maxLatency) * plotHeight;
  const line = (values: Array<[number, number]>, color: string, dash = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.6"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${values.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const bottom = offsetY + MARGIN.top + plotHeight;
  return [
    `<text x="${MARGIN.left}" y="${offsetY + 20}" font-size="14" font-weight="bold">${escape(series.title)}</text>`,
    `<rect x="${MARGIN.left}" y="${offsetY + MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#bbb"/>`,
    ...ticks.map((t) => {
      const y = offsetY + MARGIN.top + plotHeight - t * plotHeight;
      return `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${MARGIN.left - 6}" y="${y + 4}" font-size="11" text-anchor="end" fill="#1f77b4">${Math.round(t * maxRate)}</text><text x="${MARGIN.left + plotWidth + 6}" y="${y + 4}" font-size="11" fill="#d62728">${Math.round(t * maxLatency)} ms</text>`;
    }),
    ...ticks.map(
      (t) => `<text x="${x(t * seconds)}" y="${bottom + 16}" font-size="11" text-anchor="middle">${Math.round(t * seconds)} s</text>`,
    ),
    ...(series.marks ?? []).map(
      (mark) =>
        `<line x1="${x(mark.second)}" x2="${x(mark.second)}" y1="${offsetY + MARGIN.top}" y2="${bottom}" stroke="#555" stroke-dasharray="3,3"/><text x="${x(mark.second) + 3}" y="${offsetY + MARGIN.top + 12}" font-size="10" fill="#555">${escape(mark.label)}</text>`,
    ),
    line(
      series.points.map((p) => [x(p.second), yRate(p.completed)]),
      '#1f77b4',
    ),
    line(
      series.points.map((p) => [x(p.second), yLatency(p.p50Ms)]),
      '#ff7f0e',
      '4,2',
    ),
    line(
      series.points.map((p) => [x(p.second), yLatency(p.p99Ms)]),
      '#d62728',
    ),
  ].join('\n');
}

export function renderChart(series: ChartSeries[]): string {
  const height = series.length * PANEL_HEIGHT + 30;
  const legend = `<g font-size="12" transform="translate(${MARGIN.left},${height - 12})"><rect width="12" height="3" y="-4" fill="#1f77b4"/><text x="16" y="0">completed payments/s (left)</text><rect x="200" width="12" height="3" y="-4" fill="#ff7f0e"/><text x="216" y="0">p50 latency (right)</text><rect x="360" width="12" height="3" y="-4" fill="#d62728"/><text x="376" y="0">p99 latency (right)</text></g>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...series.map((s, i) => panel(s, i * PANEL_HEIGHT)),
    legend,
    '</svg>',
  ].join('\n');
}
