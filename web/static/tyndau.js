// tyndau.js - enhancements only: every page works without it.
// - starts govuk-frontend's components (error summary focus, radios...);
// - "Use my current location" fills latitude and longitude on the form;
// - on /track/{id}, listens to the live stream
//   (GET /api/v1/events?tracking=ID&secret=S, events named appeal.*) and
//   reloads the status and timeline region (#live) from the page itself, and
//   the answer with its rating and dispute forms (#live-answer) when it changed.
import { initAll } from './govuk-frontend.min.js';

document.body.classList.add('govuk-frontend-supported');
initAll();

for (const el of document.querySelectorAll('.tyndau-js-only')) el.hidden = false;

const locate = document.querySelector('[data-tyndau-locate]');
if (locate && 'geolocation' in navigator) {
  locate.addEventListener('click', () => {
    navigator.geolocation.getCurrentPosition((pos) => {
      document.getElementById('lat').value = pos.coords.latitude.toFixed(6);
      document.getElementById('lon').value = pos.coords.longitude.toFixed(6);
    });
  });
}

// The appeal actions the server streams (domain/appeal.c names them).
const ACTIONS = ['registered', 'routed', 'taken', 'assigned', 'forwarded', 'extended', 'answered',
  'returned', 'closed', 'rated', 'disputed', 'not_considered', 'withdrawn', 'due_soon',
  'deemed_refusal'];

const live = document.getElementById('live');
if (live && live.dataset.liveTracking && live.dataset.liveSecret && 'EventSource' in window) {
  const id = live.dataset.liveTracking;
  const params = new URLSearchParams({ tracking: id, secret: live.dataset.liveSecret });
  const es = new EventSource('/api/v1/events?' + params.toString());
  let busy = false;
  let again = false;
  const reload = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const res = await fetch(window.location.href, { credentials: 'same-origin' });
      if (res.ok) {
        const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
        const fresh = doc.getElementById('live');
        const current = document.getElementById('live');
        if (fresh && current) {
          current.replaceChildren(...Array.from(fresh.childNodes).map((n) => document.importNode(n, true)));
          current.classList.add('tyndau-live--updated');
          // The answer and its forms change only with their key, so text
          // being typed into a form stays unless the answer itself changed.
          const freshAnswer = doc.getElementById('live-answer');
          const answer = document.getElementById('live-answer');
          if (freshAnswer && answer && freshAnswer.dataset.liveKey !== answer.dataset.liveKey) {
            answer.replaceChildren(...Array.from(freshAnswer.childNodes).map((n) => document.importNode(n, true)));
            answer.dataset.liveKey = freshAnswer.dataset.liveKey;
            initAll({ scope: answer });
          }
          document.dispatchEvent(new CustomEvent('tyndau:live-updated', { detail: { id } }));
        }
      }
    } catch (e) {
      // The page stays as it is; the next event tries again.
    } finally {
      busy = false;
      if (again) { again = false; reload(); }
    }
  };
  const onEvent = (ev) => {
    try {
      const data = JSON.parse(ev.data);
      if (data && data.tracking_id === id) reload();
    } catch (e) {
      // Not our JSON: ignore it.
    }
  };
  for (const a of ACTIONS) es.addEventListener('appeal.' + a, onEvent);
}
