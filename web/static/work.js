// work.js - the officials' workspace, enhanced (every page works without it):
// - on /work, listens to the live stream (GET /api/v1/events: the caller's
//   agency's events, by the session cookie) and, when an appeal arrives,
//   moves or changes, reloads the queue region (#queue) from
//   /work?fragment=queue with the page's own filters, and announces the new
//   rows in the aria-live region #queue-news;
// - on /work/case/{id}, the template list fills the answer and its language
//   (the "Use the template" button is for browsers without JavaScript), and
//   the appeal's own stream (?tracking=ID) reloads the live region
//   (#case-live: status, due date, timeline, the notice when a colleague
//   holds the case).

// Every appeal event of the lifecycle (domain/appeal.c names them).
const ACTIONS = ['registered', 'routed', 'taken', 'assigned', 'forwarded', 'extended', 'answered',
  'returned', 'closed', 'rated', 'disputed', 'not_considered', 'withdrawn', 'due_soon',
  'deemed_refusal'];

// Run reload() once per burst of calls, never two at a time.
function serial(reload) {
  let busy = false;
  let again = false;
  const run = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      await reload();
    } catch (e) {
      // The page stays as it is; the next event tries again.
    } finally {
      busy = false;
      if (again) { again = false; run(); }
    }
  };
  return run;
}

async function fetchRegion(url, id) {
  const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } });
  if (!res.ok) return null;
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  return doc.getElementById(id);
}

function listen(url, onEvent) {
  if (!('EventSource' in window)) return;
  const es = new EventSource(url);
  for (const a of ACTIONS) es.addEventListener('appeal.' + a, onEvent);
}

const queue = document.getElementById('queue');
const news = document.getElementById('queue-news');
if (queue && news) {
  const url = new URL(window.location.href);
  url.searchParams.set('fragment', 'queue');
  const reload = serial(async () => {
    const fresh = await fetchRegion(url.toString(), 'queue');
    const current = document.getElementById('queue');
    if (!fresh || !current) return;
    const before = new Set(Array.from(current.querySelectorAll('tr[data-tracking]'),
      (tr) => tr.dataset.tracking));
    current.replaceChildren(...Array.from(fresh.childNodes, (n) => document.importNode(n, true)));
    const added = Array.from(current.querySelectorAll('tr[data-tracking]'))
      .filter((tr) => !before.has(tr.dataset.tracking));
    for (const tr of added) tr.classList.add('tyndau-row--new');
    if (added.length) {
      news.textContent = added.map((tr) => news.dataset.new.replace('{number}', tr.dataset.number))
        .join('. ');
    }
    document.dispatchEvent(new CustomEvent('tyndau:queue-updated', { detail: { added: added.length } }));
  });
  listen('/api/v1/events', () => reload());
}

const template = document.querySelector('[data-tyndau-template]');
if (template) {
  for (const el of document.querySelectorAll('.tyndau-nojs-only')) el.hidden = true;
  template.addEventListener('change', () => {
    const opt = template.selectedOptions[0];
    if (!opt || !opt.value) return;
    const text = document.getElementById('text');
    const lang = document.getElementById('answer_language');
    if (text) text.value = opt.dataset.text;
    if (lang) lang.value = opt.dataset.lang;
  });
}

const live = document.getElementById('case-live');
if (live && live.dataset.liveTracking) {
  const id = live.dataset.liveTracking;
  const url = new URL(window.location.pathname, window.location.href);
  url.searchParams.set('fragment', 'live');
  const lang = document.documentElement.lang;
  if (lang) url.searchParams.set('lang', lang);
  const reload = serial(async () => {
    const fresh = await fetchRegion(url.toString(), 'case-live');
    const current = document.getElementById('case-live');
    if (!fresh || !current) return;
    current.replaceChildren(...Array.from(fresh.childNodes, (n) => document.importNode(n, true)));
    document.dispatchEvent(new CustomEvent('tyndau:case-updated', { detail: { id } }));
  });
  listen('/api/v1/events?' + new URLSearchParams({ tracking: id }).toString(), (ev) => {
    try {
      const data = JSON.parse(ev.data);
      if (data && data.tracking_id === id) reload();
    } catch (e) {
      // Not our JSON: ignore it.
    }
  });
}
