import type { Chart, ChartRow } from './chart.js';

// The chart as an SVG picture: a title, a row of bars per stage (lanes beneath it), a time axis with
// five ticks, the legend, and lines of figures under it.

/** Text made safe inside SVG (XML) markup. */
/** Text for XML: its markup escaped, and characters XML 1.0 cannot hold (control characters) as \xNN. */
export const escapeXml = (text: string): string =>
  text
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

const LEFT = 170;
const CHART_WIDTH = 640;
const ROW_HEIGHT = 26;
const LINE_HEIGHT = 18;

/** The picture: `title` in bold, then `subtitle` (if any); the chart; `footer` lines under the legend. */
export function chartSvg(chart: Chart, title: string, subtitle?: string, footer: string[] = []): string {
  const top = subtitle === undefined ? 30 : 44;
  const axisY = top + chart.rows.length * ROW_HEIGHT + 6;
  const legendY = axisY + 30;
  const footerY = legendY + (chart.legend.length > 0 ? 36 : 12);
  const height = footerY + footer.length * LINE_HEIGHT + 10;
  const x = (at: number): number => LEFT + (Math.max(0, at - chart.start) / (chart.length || 1)) * CHART_WIDTH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LEFT + CHART_WIDTH + 60}" height="${height}"` +
      ' font-family="sans-serif" font-size="13">',
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="10" y="18" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  if (subtitle !== undefined) parts.push(`<text x="10" y="36" font-size="12">${escapeXml(subtitle)}</text>`);
  chart.rows.forEach((row, index) => parts.push(...rowSvg(row, top + index * ROW_HEIGHT, x)));
  parts.push(`<line x1="${LEFT}" y1="${axisY}" x2="${LEFT + CHART_WIDTH}" y2="${axisY}" stroke="#333"/>`);
  for (let tick = 0; tick <= 4; tick++) {
    const tx = LEFT + (tick * CHART_WIDTH) / 4;
    parts.push(`<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${axisY + 5}" stroke="#333"/>`);
    const label = escapeXml(chart.label((tick * chart.length) / 4));
    parts.push(`<text x="${tx}" y="${axisY + 18}" text-anchor="middle" font-size="11">${label}</text>`);
  }
  chart.legend.forEach((entry, index) => {
    const lx = LEFT + index * 150;
    parts.push(
      `<rect x="${lx}" y="${legendY}" width="12" height="12" fill="${entry.color}" stroke="#999" stroke-width="0.5"/>`,
    );
    parts.push(`<text x="${lx + 17}" y="${legendY + 10}" font-size="11">${escapeXml(entry.label)}</text>`);
  });
  footer.forEach((line, index) =>
    parts.push(`<text x="10" y="${footerY + index * LINE_HEIGHT}" font-size="12">${escapeXml(line)}</text>`),
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** One row: its name, its background, then what it did: timeline or marks beneath, work, marks over. */
function rowSvg(row: ChartRow, y: number, x: (at: number) => number): string[] {
  const box = (from: number, to: number, fill: string, rest: string): string => {
    const width = Math.max(0.3, x(to) - x(from)).toFixed(2);
    const height = ROW_HEIGHT - 6;
    return `<rect x="${x(from).toFixed(2)}" y="${y + 2}" width="${width}" height="${height}" fill="${fill}"${rest}`;
  };
  const titled = (title: string): string => `><title>${escapeXml(title)}</title></rect>`;
  const parts = [
    `<text x="${LEFT - 8}" y="${y + 16}" text-anchor="end"${row.lane ? ' font-size="11" fill="#555"' : ''}>` +
      `${escapeXml(row.name)}</text>`,
    `<rect x="${LEFT}" y="${y + 2}" width="${CHART_WIDTH}" height="${ROW_HEIGHT - 6}" fill="#f4f4f4"/>`,
  ];
  for (const state of row.states ?? [])
    parts.push(box(state.from, state.to, state.kind.color, titled(state.kind.label)));
  for (const { kind, spans } of row.under)
    for (const [from, to] of spans) parts.push(box(from, to, kind.color, titled(kind.label)));
  row.work.forEach(([from, to], index) => {
    const title = row.workTitles?.[index];
    const stroke = ' stroke="white" stroke-width="0.5"';
    parts.push(box(from, to, row.color, title === undefined ? `${stroke}/>` : `${stroke}${titled(title)}`));
  });
  for (const { kind, spans } of row.over)
    for (const [from, to] of spans) parts.push(box(from, to, kind.color, titled(kind.label)));
  if (row.note !== undefined)
    parts.push(`<text x="${LEFT + CHART_WIDTH + 6}" y="${y + 16}" font-size="11">${escapeXml(row.note)}</text>`);
  return parts;
}
