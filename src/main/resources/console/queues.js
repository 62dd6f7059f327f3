// The operator's queues: parked sagas (each with a retry, and a retry of all shown) and stuck
// ones (in flight with no event for saga.stuck-after; they wait on a participant, so no retry).
import { adminPost, ApiError, every, el, getJson, showError } from '/console/api.js';
import { sagaTable } from '/console/sagatable.js';

const SHOWN = 50;

export function renderQueues(main) {
  const message = el('p', { id: 'queue-message', class: 'message' });
  const parked = el('div', { id: 'parked-queue' });
  const stuck = el('div', { id: 'stuck-queue' });
  const retryAll = el('button', { id: 'retry-all', type: 'button', disabled: true }, 'Retry all shown');
  main.append(
    el('h2', {}, 'Parked'),
    el('p', { class: 'hint' }, 'Compensation ran out of attempts; a retry resumes it with a fresh budget (admin token).'),
    retryAll, message, parked,
    el('h2', {}, 'Stuck'),
    el('p', { class: 'hint' }, 'In flight with no event for saga.stuck-after: open one to see the step it waits on.'),
    stuck);

  let shown = 0;
  const load = async () => {
    const [parkedPage, stuckPage] = await Promise.all([
      getJson(`/sagas?status=PARKED&limit=${SHOWN}`),
      getJson(`/sagas?stuck=true&limit=${SHOWN}`),
    ]);
    shown = parkedPage.sagas.length;
    retryAll.disabled = shown === 0;
    retryAll.textContent = `Retry all ${shown} shown`;
    parked.replaceChildren(sagaTable('parked-list', parkedPage.sagas, (saga) =>
      el('button', { type: 'button', class: 'retry', dataset: { sagaId: saga.sagaId }, onclick: () => retry(saga.sagaId) }, 'Retry')));
    stuck.replaceChildren(sagaTable('stuck-list', stuckPage.sagas));
  };
  const reload = () => load().catch(() => {});

  async function retry(sagaId) {
    try {
      const answer = await adminPost(`/sagas/${encodeURIComponent(sagaId)}/retry`);
      message.replaceChildren(el('span', { class: 'ok', dataset: { status: 202 } }, `saga ${answer.sagaId} resumed: ${answer.status}`));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showError(message, e);
    }
    reload();
  }

  // The bulk retry selects the newest parked sagas, as this list shows them: max = how many are shown.
  retryAll.addEventListener('click', async () => {
    try {
      const answer = await adminPost(`/admin/sagas/retry?max=${shown}`);
      message.replaceChildren(el('span', { class: 'ok', dataset: { status: 202 } },
        `${answer.selected} parked sagas resuming, ${answer.perSecond} a second`));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showError(message, e);
    }
    reload();
  });

  return every(load);
}
