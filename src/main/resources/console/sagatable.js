// The table of sagas the list and the queues share: one row per saga of GET /sagas.
import { el, formatTime, sagaLink } from '/console/api.js';

const COLUMNS = ['saga', 'definition', 'status', 'step', 'attempts', 'stuck', 'correlation id', 'started', 'updated', 'reason'];

/** A table of the sagas; action(saga), if given, adds a last cell (a button). */
export function sagaTable(id, sagas, action) {
  const head = el('tr', {}, COLUMNS.map((name) => el('th', {}, name)), action ? el('th', {}, '') : null);
  const rows = sagas.map((saga) => el('tr', { dataset: { sagaId: saga.sagaId, status: saga.status } },
    el('td', {}, sagaLink(saga.sagaId)),
    el('td', {}, `${saga.definition} v${saga.definitionVersion}`),
    el('td', { class: `status ${saga.status}` }, saga.status),
    el('td', {}, saga.currentStep || ''),
    el('td', { class: 'number' }, saga.attempts),
    el('td', {}, saga.stuck ? 'stuck' : ''),
    el('td', { class: 'mono' }, saga.correlationId || ''),
    el('td', {}, formatTime(saga.startedAt)),
    el('td', {}, formatTime(saga.updatedAt)),
    el('td', { class: 'reason' }, saga.reason || ''),
    action ? el('td', {}, action(saga)) : null));
  const empty = sagas.length ? null : el('tr', { class: 'empty' }, el('td', { colspan: COLUMNS.length + 1 }, 'none'));
  return el('table', { id, class: 'sagas' }, el('thead', {}, head), el('tbody', {}, rows, empty));
}
