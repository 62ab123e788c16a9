// dashboard.js - enhancements of /dashboard only: the page and its tables
// work without it.
// - draws "appeals over time" with uPlot (window.uPlot, uPlot.iife.min.js)
//   from the table beside the chart;
// - re-shades the map in place when "shade by" is chosen (the links still
//   work without it);
// - listens to the live stream (GET /api/v1/events: appeal.*, cluster.grew,
//   burst.detected), lists new appeals, clusters and bursts in the feed, and
//   refetches GET /api/v1/stats at most once a second to move the counters,
//   the chart, the tables and the map (and once more when the server's
//   cached figures, max_age seconds, have expired).
// Everything dynamic goes in as text (textContent), never as markup.

const root = document.getElementById('dash');
if (root) start(root);

function start(el) {
  const lang = el.dataset.lang || 'kk';
  const topics = parseJSON(el.dataset.topics);
  const regions = parseJSON(el.dataset.regions);
  const num = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : lang === 'ru' ? 'ru-RU' : 'kk-KZ');
  const dec = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : lang === 'ru' ? 'ru-RU' : 'kk-KZ',
    { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const fill = (tmpl, kv) => (tmpl || '').replace(/\{(\w+)\}/g, (m, k) => (k in kv ? String(kv[k]) : m));
  const pct = (share) => fill(el.dataset.tPercent, { n: num.format(Math.round(100 * share)) });

  const chart = drawChart(el);
  const map = document.getElementById('kz-map');
  let shade = map ? map.dataset.shade : 'volume';

  // ---- the map ----
  function shadeMap() {
    if (!map) return;
    const fills = (map.dataset[shade === 'overdue' ? 'fillOverdue' : 'fillVolume'] || '').split(',');
    const paths = map.querySelectorAll('path[data-kato]');
    let max = 0;
    for (const p of paths) max = Math.max(max, Number(p.dataset.received) || 0);
    for (const p of paths) {
      const rec = Number(p.dataset.received) || 0;
      const open = Number(p.dataset.open) || 0;
      const over = Number(p.dataset.overdue) || 0;
      let k;
      if (shade === 'overdue') k = open > 0 ? Math.min(5, 1 + Math.floor((5 * over) / open)) : 0;
      else k = rec > 0 && max > 0 ? Math.min(5, Math.ceil((5 * rec) / max)) : 0;
      if (fills[k]) p.setAttribute('fill', fills[k]);
    }
    map.dataset.shade = shade;
  }
  for (const a of document.querySelectorAll('.tyndau-shade-link')) {
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      shade = a.dataset.shade;
      for (const b of document.querySelectorAll('.tyndau-shade-link')) {
        if (b === a) b.setAttribute('aria-current', 'true');
        else b.removeAttribute('aria-current');
      }
      shadeMap();
      // The legend and title are the server's: the link's page has them.
      const legend = document.getElementById('map-legend');
      if (legend) legend.hidden = true;
      const hidden = document.querySelector('input[name=shade]');
      if (hidden) hidden.value = shade;
      history.replaceState(null, '', a.href);
    });
  }

  // ---- figures from /api/v1/stats ----
  function setText(node, text) { if (node && node.textContent !== text) node.textContent = text; }

  function apply(s) {
    const c = (k) => el.querySelector(`[data-counter="${k}"]`);
    // Words in place of a number take a smaller face (as the server gives them).
    const wordy = (k, isWords) => { const n = c(k); if (n) n.classList.toggle('tyndau-counter__value--words', isWords); };
    wordy('on_time_share', s.on_time_share === null);
    wordy('median_hours_to_answer', s.median_hours_to_answer === null);
    setText(c('received_today'), num.format(s.received_today));
    setText(c('open'), num.format(s.open));
    setText(c('overdue'), num.format(s.overdue));
    setText(c('on_time_share'), s.on_time_share === null ? el.dataset.tNoAnswers : pct(s.on_time_share));
    setText(c('median_hours_to_answer'), s.median_hours_to_answer === null ? el.dataset.tNoAnswers
      : fill(el.dataset.tHours, { n: dec.format(s.median_hours_to_answer) }));

    // Days: the table's rows are newest first.
    const byDay = new Map(s.days.map((d) => [d.date, d.count]));
    for (const tr of document.querySelectorAll('#table-days tr[data-day]')) {
      const n = byDay.get(tr.dataset.day);
      if (n === undefined) continue;
      tr.dataset.count = String(n);
      setText(tr.querySelector('[data-cell=count]'), num.format(n));
    }
    if (chart) chart.setData(chartData());

    // Top topics: rebuild the rows (text only) and the bars.
    const tbody = document.querySelector('#table-topics tbody');
    if (tbody) {
      tbody.replaceChildren(...s.topics.map((t) => {
        const tr = document.createElement('tr');
        tr.className = 'govuk-table__row';
        tr.dataset.topic = t.code;
        tr.append(cell(topics[t.code] || t.code, false, 'topic'), cell(num.format(t.count), true, 'count'));
        return tr;
      }));
      drawBars(s.topics);
    }

    // Regions: table cells and the map's data, then the shading.
    for (const r of s.regions) {
      const tr = document.querySelector(`#table-regions tr[data-kato="${r.kato}"]`);
      if (tr) {
        setText(tr.querySelector('[data-cell=received]'), num.format(r.received));
        setText(tr.querySelector('[data-cell=open]'), num.format(r.open));
        setText(tr.querySelector('[data-cell=overdue]'), num.format(r.overdue));
        setText(tr.querySelector('[data-cell=overdue_share]'),
          r.overdue_share === null ? el.dataset.tNoneOpen : pct(r.overdue_share));
      }
      const p = map && map.querySelector(`path[data-kato="${r.kato}"]`);
      if (p) {
        p.dataset.received = String(r.received);
        p.dataset.open = String(r.open);
        p.dataset.overdue = String(r.overdue);
      }
    }
    shadeMap();
    el.dataset.updated = s.at;
  }

  function cell(text, numeric, key) {
    const td = document.createElement('td');
    td.className = numeric ? 'govuk-table__cell govuk-table__cell--numeric' : 'govuk-table__cell';
    td.dataset.cell = key;
    td.textContent = text;
    return td;
  }

  function drawBars(list) {
    const svg = document.getElementById('topics-bars');
    if (!svg) return;
    const NS = 'http://www.w3.org/2000/svg';
    const max = list.length ? list[0].count : 0;
    svg.setAttribute('viewBox', `0 0 360 ${list.length * 22 + 2}`);
    svg.replaceChildren(...list.flatMap((t, i) => {
      const w = Math.max(1, max ? Math.floor((t.count * 320) / max) : 0);
      const rect = document.createElementNS(NS, 'rect');
      for (const [k, v] of [['fill', '#3b73ad'], ['height', 16], ['x', 0], ['y', i * 22 + 2], ['width', w]]) {
        rect.setAttribute(k, String(v));
      }
      const text = document.createElementNS(NS, 'text');
      text.setAttribute('class', 'tyndau-bars__n');
      text.setAttribute('x', String(w + 6));
      text.setAttribute('y', String(i * 22 + 15));
      text.textContent = num.format(t.count);
      return [rect, text];
    }));
  }

  let inFlight = false;
  let pending = false;
  let last = 0;
  let timer = null;
  // The server keeps the figures of a scope for a few seconds (max_age):
  // figures fetched after an event may predate it, so one more fetch
  // follows once they have expired.
  let dirty = false; // an event arrived since the last fetch began
  let followUp = null;
  async function refresh() {
    if (inFlight) { pending = true; return; }
    inFlight = true;
    last = Date.now();
    const afterEvent = dirty;
    dirty = false;
    try {
      const res = await fetch(el.dataset.stats, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (res.ok) {
        const j = await res.json();
        apply(j);
        if (afterEvent && j.max_age > 0 && !followUp)
          followUp = setTimeout(() => { followUp = null; refresh(); }, (j.max_age + 1) * 1000);
      }
    } catch (e) {
      // The figures stay as they are; the next event tries again.
    } finally {
      inFlight = false;
      if (pending) { pending = false; schedule(); }
    }
  }
  // At most one fetch a second, and always one after the last event.
  function schedule() {
    dirty = true;
    if (timer) return;
    const wait = Math.max(0, 1000 - (Date.now() - last));
    timer = setTimeout(() => { timer = null; refresh(); }, wait);
  }

  // ---- the live stream ----
  const feed = document.getElementById('dash-feed');
  const wantAgency = feed ? feed.dataset.agency : '';
  function feedItem(kind, d) {
    if (!feed) return;
    const topic = d.topic ? (topics[d.topic] || d.topic) : feed.dataset.tNone;
    const region = d.region ? (regions[d.region] || d.region) : '';
    let text;
    if (kind === 'registered') text = fill(feed.dataset.tRegistered, { number: d.registration_number || '', topic, region });
    else if (kind === 'grew') text = fill(feed.dataset.tGrew, { count: num.format(d.count || 0), topic, region });
    else text = fill(feed.dataset.tBurst, { count: num.format(d.count || 0), topic, region, expected: dec.format(d.expected || 0) });
    const li = document.createElement('li');
    li.className = `tyndau-feed__item tyndau-feed__item--${kind}`;
    const when = document.createElement('time');
    when.className = 'tyndau-feed__when';
    const at = d.at ? new Date(d.at) : new Date();
    when.dateTime = at.toISOString();
    when.textContent = at.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Almaty' });
    const what = document.createElement('span');
    what.textContent = ' ' + text;
    li.append(when, what);
    feed.prepend(li);
    while (feed.children.length > 50) feed.lastElementChild.remove();
  }

  if ('EventSource' in window && el.dataset.events) {
    const es = new EventSource(el.dataset.events);
    const onEvent = (kind) => (ev) => {
      let d = null;
      try { d = JSON.parse(ev.data); } catch (e) { return; }
      if (!d || (wantAgency && d.agency && d.agency !== wantAgency)) return;
      if (kind) feedItem(kind, d);
      schedule();
    };
    es.addEventListener('appeal.registered', onEvent('registered'));
    es.addEventListener('cluster.grew', onEvent('grew'));
    es.addEventListener('burst.detected', onEvent('burst'));
    for (const a of ['routed', 'taken', 'forwarded', 'answered', 'closed', 'disputed', 'not_considered',
      'withdrawn', 'deemed_refusal', 'extended']) {
      es.addEventListener('appeal.' + a, onEvent(null));
    }
  }
}

function parseJSON(s) {
  try { return JSON.parse(s || '{}'); } catch (e) { return {}; }
}

// The day series from the table (oldest first): x in Unix seconds.
function chartData() {
  const rows = Array.from(document.querySelectorAll('#table-days tr[data-day]')).reverse();
  return [rows.map((tr) => Number(tr.dataset.t)), rows.map((tr) => Number(tr.dataset.count))];
}

function drawChart(el) {
  const box = document.getElementById('chart-days');
  if (!box || typeof window.uPlot !== 'function') return null;
  box.hidden = false;
  const width = Math.max(280, box.clientWidth || 600);
  const opts = {
    width,
    height: 260,
    tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), 'Asia/Almaty'),
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { y: { range: (u, min, max) => [0, Math.max(4, max)] } },
    axes: [{}, { values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')) }],
    series: [{}, { label: el.dataset.tAppeals || 'Appeals', stroke: '#1d4e89', width: 2, fill: 'rgba(59,115,173,0.15)',
      points: { show: true, size: 5 } }],
  };
  const u = new window.uPlot(opts, chartData(), box);
  window.addEventListener('resize', () => u.setSize({ width: Math.max(280, box.clientWidth || 600), height: 260 }));
  return u;
}
