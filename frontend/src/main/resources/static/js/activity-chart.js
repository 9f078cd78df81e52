// Jobs over time by status: stacked bars in plain SVG (no library), refreshed shortly after events arrive.
import { getJson } from './api.js';
import { plural } from './format.js';
import { STATUSES, statusLabel } from './vocabulary.js';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 150;
const LEFT = 26;
const BOTTOM = 18;
// Every status between queued and an end shares one colour, "Running" (whatever statuses the server has there): the
// chart is about flow, the list about detail.
const OWN_BAR = ['completed', 'queued', 'failed', 'canceled'];
const own = (status) => ({ key: status, label: statusLabel(status), statuses: [status] });
const SERIES = [
  own('completed'),
  { key: 'running', label: 'Running', statuses: STATUSES.filter((status) => !OWN_BAR.includes(status)) },
  own('queued'),
  own('failed'),
  own('canceled'),
];

function node(name, attributes = {}, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export class ActivityChart {
  constructor() {
    this.svg = document.getElementById('activity-chart');
    this.summary = document.getElementById('activity-summary');
    this.legend = document.getElementById('activity-legend');
    this.window = document.getElementById('activity-window');
    this.pending = null;
    this.last = null;
  }

  start() {
    // Drawn in CSS pixels at the chart's real width, so labels keep their size on a phone.
    new ResizeObserver(() => { if (this.last) this.draw(this.last); }).observe(this.svg);
    this.window.addEventListener('change', () => this.refresh());
    // Rolls the window forward even when nothing happens.
    setInterval(() => this.refresh(), 30000);
    return this.refresh();
  }

  // Many events in a burst cost one request.
  soon() {
    if (this.pending) return;
    this.pending = setTimeout(() => { this.pending = null; this.refresh(); }, 1000);
  }

  async refresh() {
    const activity = await getJson(`/api/v1/activity?minutes=${this.window.value}`);
    if (activity) this.draw(activity);
  }

  draw(activity) {
    this.last = activity;
    const WIDTH = Math.max(200, Math.round(this.svg.getBoundingClientRect().width) || 600);
    this.svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    const rows = activity.buckets.map((bucket) => SERIES.map((series) =>
      series.statuses.reduce((sum, status) => sum + (bucket.counts[status] ?? 0), 0)));
    const peak = Math.max(1, ...rows.map((row) => row.reduce((a, b) => a + b, 0)));
    const plotWidth = WIDTH - LEFT;
    const plotHeight = HEIGHT - BOTTOM;
    const slot = plotWidth / rows.length;
    const barWidth = Math.max(2, slot * 0.72);
    const children = [
      node('line', { class: 'axis', x1: LEFT, x2: WIDTH, y1: plotHeight + 0.5, y2: plotHeight + 0.5 }),
      node('text', { x: LEFT - 6, y: 9, 'text-anchor': 'end' }, String(peak)),
      node('text', { x: LEFT - 6, y: plotHeight, 'text-anchor': 'end' }, '0'),
    ];
    rows.forEach((row, index) => {
      let top = plotHeight;
      row.forEach((count, seriesIndex) => {
        if (!count) return;
        const height = (count / peak) * (plotHeight - 4);
        top -= height;
        const bar = node('rect', { x: LEFT + index * slot + (slot - barWidth) / 2, y: top, width: barWidth, height,
          rx: 1.5, class: `s-${SERIES[seriesIndex].key}` });
        bar.append(node('title', {}, `${plural(count, 'job')} ${SERIES[seriesIndex].label.toLowerCase()}`));
        children.push(bar);
      });
    });
    const tick = (index, anchor) => node('text', { x: LEFT + index * slot + slot / 2, y: HEIGHT - 4, 'text-anchor': anchor },
      new Date(activity.buckets[index].start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
    if (rows.length > 1) children.push(tick(0, 'start'), tick(Math.floor(rows.length / 2), 'middle'));
    children.push(node('text', { x: WIDTH, y: HEIGHT - 4, 'text-anchor': 'end' }, 'now'));
    this.svg.replaceChildren(...children);

    const totals = SERIES.map((_, i) => rows.reduce((sum, row) => sum + row[i], 0));
    const all = totals.reduce((a, b) => a + b, 0);
    const parts = SERIES.map((series, i) => totals[i] ? `${totals[i]} ${series.label.toLowerCase()}` : null).filter(Boolean);
    const span = this.window.selectedOptions[0].textContent.toLowerCase();
    this.summary.textContent = all ? `${plural(all, 'job')} submitted in the ${span}: ${parts.join(', ')}.`
      : `No jobs submitted in the ${span}.`;
    this.svg.dataset.total = String(all);
    this.legend.replaceChildren(...SERIES.map((series, i) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = `swatch s-${series.key}`;
      item.append(swatch, `${series.label} ${totals[i]}`);
      return item;
    }));
  }
}
