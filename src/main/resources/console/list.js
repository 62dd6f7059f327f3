// The saga list: GET /sagas with its filters, newest first, a keyset page at a time, refreshed live.
import { ApiError, every, el, getJson, showError } from '/console/api.js';
import { sagaTable } from '/console/sagatable.js';

const STATUSES = ['RUNNING', 'COMPENSATING', 'PARKED', 'COMPLETED', 'COMPENSATED'];
const FILTERS = ['status', 'definition', 'step', 'correlationId', 'stuck'];
const PAGE = 25;

function select(name, label, options, current) {
  return el('label', {}, label, el('select', { name, id: `filter-${name}` },
    el('option', { value: '' }, 'any'),
    options.map((value) => el('option', { value, selected: value === current }, value))));
}

function input(name, label, current) {
  return el('label', {}, label, el('input', { name, id: `filter-${name}`, value: current || '', size: 14 }));
}

/** The filters live in the hash (#/sagas?status=PARKED), so a filtered list can be bookmarked. */
export function renderList(main, params) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || '']));
  const definitions = select('definition', 'definition', filters.definition ? [filters.definition] : [], filters.definition);
  const form = el('form', { id: 'filters', class: 'filters' },
    select('status', 'status', STATUSES, filters.status),
    definitions,
    input('step', 'step', filters.step),
    input('correlationId', 'correlation id', filters.correlationId),
    select('stuck', 'stuck', ['true', 'false'], filters.stuck),
    el('button', { type: 'submit' }, 'Filter'));
  const apply = (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value.trim()) query.set(name, value.trim());
    location.hash = `#/sagas?${query}`;
  };
  form.addEventListener('submit', apply);
  form.querySelectorAll('select').forEach((s) => s.addEventListener('change', apply));

  const message = el('p', { id: 'list-message', class: 'message' });
  const table = el('div', { id: 'list-table' });
  const newer = el('button', { id: 'page-newer', type: 'button', disabled: true }, 'Newer');
  const older = el('button', { id: 'page-older', type: 'button', disabled: true }, 'Older');
  const pageLabel = el('span', { id: 'page-number' }, 'page 1');
  main.append(el('h2', {}, 'Sagas'), form, message, table, el('div', { class: 'pager' }, newer, pageLabel, older));

  getJson('/definitions').then((all) => {
    const box = definitions.querySelector('select');
    all.map((d) => d.name).filter((name) => name !== filters.definition)
      .forEach((name) => box.append(el('option', { value: name }, name)));
  }).catch(() => {});

  // cursors[i] is the cursor of page i+1 (page 1 has none); the live refresh re-reads the page shown.
  const cursors = [null];
  let next = null;
  const load = async () => {
    const query = new URLSearchParams({ limit: PAGE });
    for (const name of FILTERS) if (filters[name]) query.set(name, filters[name]);
    const cursor = cursors[cursors.length - 1];
    if (cursor) query.set('cursor', cursor);
    try {
      const page = await getJson(`/sagas?${query}`);
      next = page.next || null;
      table.replaceChildren(sagaTable('saga-list', page.sagas));
      message.replaceChildren();
    } catch (e) {
      if (e instanceof ApiError) showError(message, e);
      throw e;
    }
    newer.disabled = cursors.length === 1;
    older.disabled = !next;
    pageLabel.textContent = `page ${cursors.length}`;
  };
  older.addEventListener('click', () => {
    cursors.push(next);
    load().catch(() => {});
  });
  newer.addEventListener('click', () => {
    cursors.pop();
    load().catch(() => {});
  });
  return every(load);
}
