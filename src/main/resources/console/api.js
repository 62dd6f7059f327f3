// What every view shares: the node's API, the admin token, and building DOM without innerHTML
// (saga reasons and ids come from clients, so they are always text, never markup).

const TOKEN_KEY = 'saga-admin-token';

/** How often lists and the dashboard refresh, in ms: ?refresh=<ms> on the console's URL, default 2 s. */
export const REFRESH_MS = Math.max(200, Number(new URLSearchParams(location.search).get('refresh')) || 2000);

/** The API's own error shape, {error, details}, with the HTTP status. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function send(method, path, headers = {}) {
  const response = await fetch(path, { method, headers: { Accept: 'application/json', ...headers } });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = { error: text };
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export function getJson(path) {
  return send('GET', path);
}

export async function getText(path) {
  const response = await fetch(path);
  if (!response.ok) throw new ApiError(response.status, null);
  return response.text();
}

/**
 * An admin POST: asks for the token once per browser session, and forgets it on a 401 so the
 * next try asks again.
 */
export async function adminPost(path) {
  let token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    token = (window.prompt('Admin token (saga.http.admin-token)') || '').trim();
    if (!token) throw new ApiError(401, { error: 'no admin token given', details: [] });
    sessionStorage.setItem(TOKEN_KEY, token);
  }
  try {
    return await send('POST', path, { Authorization: `Bearer ${token}` });
  } catch (e) {
    if (e.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    throw e;
  }
}

/** el('td', {class: 'x', dataset: {step: 'payment'}}, 'text', child…) */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Shows an API error (its JSON as the node sent it) in a status line. */
export function showError(target, error) {
  const body = error.body ? JSON.stringify(error.body) : error.message;
  target.replaceChildren(el('span', { class: 'error', dataset: { status: error.status || '' } },
    error.status ? `${error.status}: ${body}` : body));
}

function markLive(ok) {
  const live = document.getElementById('live');
  live.textContent = ok ? `live, ${new Date().toLocaleTimeString()}` : 'node not answering';
  live.className = ok ? 'ok' : 'down';
}

/** Calls fn now and every REFRESH_MS until the returned stop function is called. */
export function every(fn) {
  let stopped = false;
  let timer;
  const tick = async () => {
    try {
      await fn();
      markLive(true);
    } catch (e) {
      if (!(e instanceof ApiError)) markLive(false);
    }
    if (!stopped) timer = setTimeout(tick, REFRESH_MS);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export function formatTime(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  return `${at.toLocaleTimeString([], { hour12: false })}.${String(at.getMilliseconds()).padStart(3, '0')}`;
}

export function sagaLink(sagaId) {
  return el('a', { href: `#/saga/${encodeURIComponent(sagaId)}`, class: 'saga-link' }, sagaId);
}
