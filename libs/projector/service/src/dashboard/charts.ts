/**
 * Inline SVG charts, rendered on the server from the dashboard data: no script, no external file,
 * nothing fetched by the browser. Bar lengths are computed in integers (bigint for money) so a
 * chart never rounds an amount through a float; each bar carries its figure in `data-*` attributes
 * and a `<title>` so the numbers can be read back exactly.
 */

const WIDTH = 720;
const PLOT_HEIGHT = 180;
const MARGIN_TOP = 22;
const LABEL_SPACE = 34;
const FAILURE_COLORS = ['#d9534f', '#f0ad4e', '#9b59b6', '#e67e22', '#c0392b', '#8e44ad', '#d35400', '#7f8c8d'];
export const COMPLETED_COLOR = '#2e8b57';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Fen (a decimal string) as yuan with thousands separators: "-123456" → "-¥1,234.56". */
export function formatYuan(minor: string): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const yuan = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}¥${yuan}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** `value / max` of `length` pixels, in integers (0 when max is 0). */
export function scaled(value: bigint, max: bigint, length: number): number {
  if (max <= 0n || value <= 0n) return 0;
  return Number((value * BigInt(length)) / max);
}

export function failureColor(index: number): string {
  return FAILURE_COLORS[index % FAILURE_COLORS.length]!;
}

export interface BarSegment {
  value: bigint;
  color: string;
  /** Tooltip, and the `data-series` of the segment. */
  series: string;
  title: string;
}

export interface BarColumn {
  /** `data-key` of the column (a day). */
  key: string;
  /** Under the bar. */
  label: string;
  /** Over the bar. */
  caption: string;
  segments: BarSegment[];
}

/** A column chart (stacked when a column has several segments). */
export function columnChart(id: string, title: string, columns: readonly BarColumn[]): string {
  const height = MARGIN_TOP + PLOT_HEIGHT + LABEL_SPACE;
  if (columns.length === 0)
    return `<svg id="${id}" class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${WIDTH} 60"><text x="${WIDTH / 2}" y="34" text-anchor="middle" class="empty">no data yet</text></svg>`;
  const totals = columns.map((column) => column.segments.reduce((sum, segment) => sum + segment.value, 0n));
  const max = totals.reduce((a, b) => (b > a ? b : a), 0n);
  const slot = Math.floor(WIDTH / columns.length);
  const barWidth = Math.max(4, Math.min(48, slot - 8));
  const parts = columns.map((column, i) => {
    const x = i * slot + Math.floor((slot - barWidth) / 2);
    const center = x + barWidth / 2;
    let top = MARGIN_TOP + PLOT_HEIGHT;
    const rects = column.segments.map((segment) => {
      const h = scaled(segment.value, max, PLOT_HEIGHT);
      top -= h;
      return `<rect class="bar" data-key="${escapeHtml(column.key)}" data-series="${escapeHtml(segment.series)}" data-value="${segment.value}" x="${x}" y="${top}" width="${barWidth}" height="${h}" fill="${segment.color}"><title>${escapeHtml(segment.title)}</title></rect>`;
    });
    return [
      `<g class="column" data-key="${escapeHtml(column.key)}">`,
      ...rects,
      `<text class="caption" x="${center}" y="${top - 5}" text-anchor="middle">${escapeHtml(column.caption)}</text>`,
      `<text class="label" x="${center}" y="${MARGIN_TOP + PLOT_HEIGHT + 16}" text-anchor="middle">${escapeHtml(column.label)}</text>`,
      '</g>',
    ].join('');
  });
  return `<svg id="${id}" class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${WIDTH} ${height}"><line x1="0" x2="${WIDTH}" y1="${MARGIN_TOP + PLOT_HEIGHT}" y2="${MARGIN_TOP + PLOT_HEIGHT}" class="axis"/>${parts.join('')}</svg>`;
}

export interface FunnelStep {
  key: string;
  label: string;
  count: number;
}

/** Horizontal bars, each step's length relative to the first, with its count and share of the first. */
export function funnelChart(id: string, steps: readonly FunnelStep[]): string {
  const rowHeight = 34;
  const labelWidth = 170;
  const plot = WIDTH - labelWidth - 120;
  const first = BigInt(steps[0]?.count ?? 0);
  const rows = steps.map((step, i) => {
    const y = i * rowHeight + 6;
    const w = scaled(BigInt(step.count), first, plot);
    const share = first > 0n ? `${(BigInt(step.count) * 100n) / first}%` : '–';
    return [
      `<g class="step" data-step="${step.key}" data-count="${step.count}">`,
      `<text class="label" x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(step.label)}</text>`,
      `<rect class="bar" x="${labelWidth}" y="${y}" width="${w}" height="${rowHeight - 10}" fill="#3b73b9"><title>${escapeHtml(`${step.label}: ${step.count}`)}</title></rect>`,
      `<text class="count" x="${labelWidth + w + 6}" y="${y + 17}">${step.count} (${share})</text>`,
      '</g>',
    ].join('');
  });
  return `<svg id="${id}" class="chart" role="img" aria-label="funnel" viewBox="0 0 ${WIDTH} ${steps.length * rowHeight + 8}">${rows.join('')}</svg>`;
}
