// One saga's timeline: its summary (GET /sagas/{id}) and its history as it happens
// (GET /sagas/{id}/events), drawn as forward and compensation spans per step on a time axis.
import { adminPost, ApiError, el, formatTime, getJson, REFRESH_MS, showError } from '/console/api.js';

const COMPENSATION = new Set(['CompensationStarted', 'StepCompensated', 'CompensationAttemptFailed', 'SagaParked', 'SagaResumed', 'SagaCompensated']);
const FAILURE = new Set(['StepAttemptFailed', 'StepRejected', 'CompensationAttemptFailed', 'SagaParked']);
const SAGA_ROW = '(saga)';

function kindOf(type) {
  if (FAILURE.has(type)) return 'failure';
  return COMPENSATION.has(type) ? 'compensation' : 'forward';
}

/**
 * The spans the history gives: a step's forward span runs from the end of the one before it (or
 * the start) to its success or rejection; its compensation span from the compensation before it
 * (or the start of compensating, or an operator's retry) to its StepCompensated.
 */
function spans(entries) {
  const bars = [];
  const marks = [];
  let forwardFrom = null;
  let compensationFrom = null;
  for (const entry of entries) {
    const at = Date.parse(entry.at);
    const row = entry.step || SAGA_ROW;
    switch (entry.type) {
      case 'SagaStarted':
        forwardFrom = at;
        break;
      case 'StepSucceeded':
      case 'LastStepSucceeded':
      case 'StepRejected':
        bars.push({ row, kind: entry.type === 'StepRejected' ? 'rejected' : 'forward', from: forwardFrom ?? at, to: at });
        forwardFrom = at;
        break;
      case 'CompensationStarted':
      case 'SagaResumed':
        compensationFrom = at;
        break;
      case 'StepCompensated':
        bars.push({ row, kind: 'compensation', from: compensationFrom ?? at, to: at });
        compensationFrom = at;
        break;
      default:
        break;
    }
    marks.push({ row, kind: kindOf(entry.type), at, entry });
  }
  return { bars, marks };
}

function axis(entries, stepNames) {
  const { bars, marks } = spans(entries);
  const times = marks.map((m) => m.at);
  const start = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - start);
  const x = (t) => `${(100 * (t - start)) / span}%`;
  const rows = [SAGA_ROW, ...stepNames].map((name) => el('div', { class: 'lane-row', dataset: { row: name } },
    el('div', { class: 'lane-name' }, name),
    el('div', { class: 'lane' },
      bars.filter((b) => b.row === name).map((b) => el('div', {
        class: `bar ${b.kind}`, dataset: { kind: b.kind, step: name },
        style: `left: ${x(b.from)}; width: max(3px, ${(100 * (b.to - b.from)) / span}%)`,
        title: `${b.kind} ${name}: ${b.to - b.from} ms`,
      })),
      marks.filter((m) => m.row === name).map((m) => el('div', {
        class: `mark ${m.kind}`, style: `left: ${x(m.at)}`, dataset: { entryType: m.entry.type },
        title: `${m.entry.type} ${m.entry.detail || ''} (+${m.at - start} ms)`,
      })))));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => el('span', { class: 'tick', style: `left: ${100 * f}%` }, `+${Math.round(f * span)} ms`));
  return el('div', { id: 'timeline-axis', class: 'axis' }, rows, el('div', { class: 'lane-row' }, el('div', { class: 'lane-name' }), el('div', { class: 'lane ticks' }, ticks)));
}

function entryItem(entry, start) {
  return el('li', { class: `entry ${kindOf(entry.type)}`, dataset: { entryType: entry.type, step: entry.step || '', seq: entry.seq } },
    el('span', { class: 'offset' }, `+${Date.parse(entry.at) - start} ms`),
    el('span', { class: 'type' }, entry.type),
    el('span', { class: 'step' }, entry.step || ''),
    el('span', { class: 'detail' }, entry.detail || ''));
}

function summaryView(saga, onRetry) {
  const fields = [
    ['saga', saga.sagaId], ['definition', `${saga.definition} v${saga.definitionVersion}`], ['status', saga.status],
    ['correlation id', saga.correlationId], ['started', formatTime(saga.startedAt)], ['ended', formatTime(saga.endedAt)],
    ['reason', saga.reason || ''],
  ];
  const steps = el('table', { id: 'timeline-steps', class: 'sagas' },
    el('thead', {}, el('tr', {}, ['step', 'status', 'attempts', 'last error', 'compensation attempts'].map((h) => el('th', {}, h)))),
    el('tbody', {}, saga.steps.map((s) => el('tr', { dataset: { step: s.name, status: s.status } },
      el('td', {}, s.name), el('td', { class: `status ${s.status}` }, s.status), el('td', { class: 'number' }, s.attempts),
      el('td', { class: 'reason' }, s.lastError || ''), el('td', { class: 'number' }, s.compensationAttempts)))));
  return el('div', {},
    el('dl', { id: 'timeline-summary', class: 'summary', dataset: { status: saga.status } },
      fields.map(([name, value]) => [el('dt', {}, name), el('dd', { dataset: { field: name } }, value)])),
    saga.status === 'PARKED' ? el('button', { id: 'timeline-retry', type: 'button', onclick: onRetry }, 'Retry (admin)') : null,
    steps);
}

export function renderTimeline(main, sagaId) {
  const message = el('p', { id: 'timeline-message', class: 'message' });
  const summary = el('div', { id: 'timeline-head' });
  const axisBox = el('div', { id: 'timeline-axis-box' });
  const list = el('ol', { id: 'timeline-entries', class: 'entries' });
  const stream = el('span', { id: 'timeline-stream', class: 'hint' }, 'connecting');
  main.append(el('h2', {}, 'Saga ', el('span', { class: 'mono' }, sagaId)), message, summary,
    el('h3', {}, 'Timeline ', stream), axisBox, list);

  const entries = [];
  let stepNames = [];
  const drawSteps = () => {
    axisBox.replaceChildren(axis(entries, stepNames));
    const start = Date.parse(entries[0].at);
    list.replaceChildren(...entries.map((entry) => entryItem(entry, start)));
  };

  const retry = async () => {
    try {
      const answer = await adminPost(`/sagas/${encodeURIComponent(sagaId)}/retry`);
      message.replaceChildren(el('span', { class: 'ok' }, `resumed: ${answer.status}`));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showError(message, e);
    }
    loadSummary();
  };
  const loadSummary = () => getJson(`/sagas/${encodeURIComponent(sagaId)}`).then((saga) => {
    stepNames = saga.steps.map((s) => s.name);
    summary.replaceChildren(summaryView(saga, retry));
    if (entries.length) drawSteps();
  }).catch((e) => showError(message, e));

  // Steps arrive in bursts: the summary (status, attempts) is re-read at most once per refresh.
  let summaryDue = null;
  const refreshSummarySoon = () => {
    if (summaryDue === null) summaryDue = setTimeout(() => { summaryDue = null; loadSummary(); }, Math.min(REFRESH_MS, 500));
  };

  loadSummary();
  // EventSource resumes with Last-Event-ID by itself after a dropped connection.
  const events = new EventSource(`/sagas/${encodeURIComponent(sagaId)}/events`);
  events.addEventListener('open', () => { stream.textContent = 'live'; });
  events.addEventListener('step', (event) => {
    entries.push(JSON.parse(event.data));
    drawSteps();
    refreshSummarySoon();
  });
  events.addEventListener('end', (event) => {
    events.close();
    stream.textContent = `ended: ${JSON.parse(event.data).status}`;
    refreshSummarySoon();
  });
  events.addEventListener('error', (event) => {
    if (event.data) {
      events.close();
      stream.textContent = 'stream closed';
      showError(message, new ApiError(0, JSON.parse(event.data)));
    } else if (events.readyState === EventSource.CLOSED) {
      stream.textContent = 'stream closed (GET /sagas/{id}/events refused)';
    } else {
      stream.textContent = 'reconnecting';
    }
  });
  return () => {
    events.close();
    clearTimeout(summaryDue);
  };
}
