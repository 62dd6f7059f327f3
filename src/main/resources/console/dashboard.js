// A small dashboard read from GET /metrics (docs/metrics.md): sagas settled a second (from the
// counters' change between two scrapes), in flight, parked and stuck (cluster-wide gauges), and
// each step's attempt latency (mean and p99 since the node started, from the histogram).
import { el, every, getText } from '/console/api.js';

const HISTORY = 60;

/** Prometheus' text format: one {name, labels, value} per sample line. */
function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    for (const [, name, value] of (match[2] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[name] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

const total = (samples, name) => samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);

/** Each (definition, step, kind)'s attempts, summed over their answers. */
function latencies(samples) {
  const byStep = new Map();
  const entry = (labels) => {
    const key = `${labels.definition}/${labels.step}/${labels.kind}`;
    if (!byStep.has(key)) byStep.set(key, { ...labels, count: 0, sum: 0, buckets: new Map() });
    return byStep.get(key);
  };
  for (const s of samples) {
    if (s.name === 'saga_step_attempt_seconds_count') entry(s.labels).count += s.value;
    else if (s.name === 'saga_step_attempt_seconds_sum') entry(s.labels).sum += s.value;
    else if (s.name === 'saga_step_attempt_seconds_bucket') {
      const buckets = entry(s.labels).buckets;
      const le = Number(s.labels.le);
      buckets.set(le, (buckets.get(le) || 0) + s.value);
    }
  }
  return [...byStep.values()].filter((s) => s.count > 0).map((s) => {
    const ordered = [...s.buckets.entries()].sort((a, b) => a[0] - b[0]);
    const p99 = ordered.find(([, count]) => count >= 0.99 * s.count);
    return { ...s, meanMs: (1000 * s.sum) / s.count, p99Ms: p99 && Number.isFinite(p99[0]) ? 1000 * p99[0] : null };
  });
}

function card(id, label) {
  return el('div', { class: 'card' }, el('div', { class: 'card-label' }, label), el('div', { id, class: 'card-value' }, '…'));
}

function sparkline(points) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${HISTORY} 20`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('id', 'dash-sparkline');
  const top = Math.max(1, ...points);
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points.map((p, i) => `${i + HISTORY - points.length},${20 - (19 * p) / top}`).join(' '));
  svg.append(line);
  return svg;
}

export function renderDashboard(main) {
  const cards = el('div', { class: 'cards' },
    card('dash-throughput', 'settled / s'), card('dash-started', 'started / s'), card('dash-in-flight', 'in flight'),
    card('dash-parked', 'parked'), card('dash-stuck', 'stuck'), card('dash-settled', 'settled since start'));
  const spark = el('div', { class: 'spark' });
  const table = el('div', { id: 'dash-latency' });
  main.append(el('h2', {}, 'Dashboard'), cards, el('h3', {}, 'Settled a second'), spark,
    el('h3', {}, 'Step attempt latency'), table,
    el('p', { class: 'hint' }, 'Gauges are the cluster\'s (from the read side, every saga.read-side.gauge-interval); rates and latency are this node\'s.'));

  let previous = null;
  const rates = [];
  const set = (id, value) => { document.getElementById(id).textContent = value; };
  return every(async () => {
    const samples = parseMetrics(await getText('/metrics'));
    const now = performance.now();
    const settled = total(samples, 'saga_settled_total');
    const started = total(samples, 'saga_started_total');
    if (previous) {
      const seconds = Math.max(0.001, (now - previous.at) / 1000);
      const rate = (settled - previous.settled) / seconds;
      rates.push(rate);
      if (rates.length > HISTORY) rates.shift();
      set('dash-throughput', rate.toFixed(1));
      set('dash-started', ((started - previous.started) / seconds).toFixed(1));
      spark.replaceChildren(sparkline(rates));
    }
    previous = { at: now, settled, started };
    set('dash-in-flight', total(samples, 'saga_in_flight'));
    set('dash-parked', total(samples, 'saga_parked'));
    set('dash-stuck', total(samples, 'saga_stuck'));
    set('dash-settled', settled);
    table.replaceChildren(el('table', { class: 'sagas' },
      el('thead', {}, el('tr', {}, ['definition', 'step', 'kind', 'attempts', 'mean ms', 'p99 ms (bucket)'].map((h) => el('th', {}, h)))),
      el('tbody', {}, latencies(samples).map((s) => el('tr', { dataset: { step: s.step, kind: s.kind } },
        el('td', {}, s.definition), el('td', {}, s.step), el('td', {}, s.kind), el('td', { class: 'number' }, s.count),
        el('td', { class: 'number' }, s.meanMs.toFixed(1)), el('td', { class: 'number' }, s.p99Ms === null ? '' : `≤ ${Number(s.p99Ms.toPrecision(4))}`))))));
  });
}
