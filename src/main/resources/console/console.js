// The console's router: #/sagas, #/queues, #/saga/<id>, #/dashboard. Each view draws into
// <main> and returns a function that stops its timers and streams when another view opens.
import { renderList } from '/console/list.js';
import { renderQueues } from '/console/queues.js';
import { renderTimeline } from '/console/timeline.js';
import { renderDashboard } from '/console/dashboard.js';

const VIEWS = {
  sagas: (main, arg, params) => renderList(main, params),
  queues: (main) => renderQueues(main),
  saga: (main, arg) => renderTimeline(main, arg),
  dashboard: (main) => renderDashboard(main),
};

let stop = () => {};

function route() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  if (!VIEWS[name]) {
    location.replace('#/sagas');
    return;
  }
  stop();
  const main = document.getElementById('view');
  main.replaceChildren();
  main.dataset.view = name;
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === name));
  stop = VIEWS[name](main, decodeURIComponent(rest.join('/')), new URLSearchParams(query)) || (() => {});
}

window.addEventListener('hashchange', route);
route();
