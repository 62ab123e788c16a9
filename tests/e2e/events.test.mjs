// events.test.mjs - the live stream (GET /api/v1/events) read by clients we
// did not write: npm `eventsource` (the WHATWG EventSource for Node) and
// Chromium's own EventSource. Each event arrives once, in id order, after
// its appeal is registered; a reconnect with Last-Event-ID continues with no
// gap and no duplicate; a subscriber following one appeal with its secret
// sees that appeal's events only; the stream's JSON is redacted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { startServer, api, launch, context } from './harness.mjs';

function appeal(n) {
  return {
    kind: 'complaint', channel: 'web', language: 'ru', region: '750000000', topic: 'roads',
    text: `Яма на улице, обращение потока событий ${n}. Тел. +7 701 555 12 34`,
    contact: { name: 'Айгерим Сапарова', email: 'aigerim@example.kz' }, consent: true,
  };
}

async function submit(base, n) {
  const r = await api(base, 'POST', '/api/v1/appeals', { body: appeal(n) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// Collect events of type kind until count have arrived (or fail after ms).
function collector(es, kind) {
  const got = [];
  const waiters = [];
  es.addEventListener(kind, (e) => {
    got.push({ id: e.lastEventId, data: JSON.parse(e.data) });
    for (const w of waiters.splice(0)) w();
  });
  return {
    got,
    async until(count, ms = 10000) {
      const end = Date.now() + ms;
      while (got.length < count) {
        if (Date.now() > end) throw new Error(`${got.length} of ${count} ${kind} events in ${ms} ms`);
        await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
      }
    },
  };
}

function opened(es) {
  return new Promise((resolve, reject) => {
    es.onopen = () => resolve();
    es.onerror = (e) => reject(new Error(`stream error: ${e.message || e.type}`));
  });
}

test('npm eventsource: events in order, redacted; reconnect with Last-Event-ID', async () => {
  const srv = await startServer();
  try {
    const es = new EventSource(`${srv.base}/api/v1/events`);
    const c = collector(es, 'appeal.registered');
    await opened(es);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await submit(srv.base, i));
    await c.until(3);
    es.close();
    assert.deepEqual(c.got.map((e) => e.data.tracking_id), made.map((m) => m.tracking_id));
    const ids = c.got.map((e) => Number(e.id));
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `ids ${ids}`);
    for (const e of c.got) {
      const raw = JSON.stringify(e.data);
      assert.ok(!raw.includes('Айгерим') && !raw.includes('example.kz') && !raw.includes('555'),
        `personal data in the stream: ${raw}`);
      assert.equal(e.data.status, 'registered');
    }
    // Away: two more. Back with the last id seen: exactly those two.
    const later = [await submit(srv.base, 3), await submit(srv.base, 4)];
    const last = c.got[c.got.length - 1].id;
    const es2 = new EventSource(`${srv.base}/api/v1/events`, {
      fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, 'Last-Event-ID': last } }),
    });
    const c2 = collector(es2, 'appeal.registered');
    await c2.until(2);
    const more = await submit(srv.base, 5);
    await c2.until(3);
    await new Promise((r) => setTimeout(r, 300));
    es2.close();
    assert.deepEqual(c2.got.map((e) => e.data.tracking_id),
      [...later, more].map((m) => m.tracking_id));
    assert.ok(Number(c2.got[0].id) > Number(last));
  } finally {
    await srv.stop();
  }
});

test('npm eventsource: following one appeal needs its secret', async () => {
  const srv = await startServer();
  try {
    const a = await submit(srv.base, 10);
    const b = await submit(srv.base, 11);
    const bad = new EventSource(`${srv.base}/api/v1/events?tracking=${a.tracking_id}`);
    const failed = await new Promise((resolve) => { bad.onerror = () => resolve(true); bad.onopen = () => resolve(false); });
    bad.close();
    assert.ok(failed, 'a stream of someone else\'s appeal opened without its secret');
    const es = new EventSource(
      `${srv.base}/api/v1/events?tracking=${a.tracking_id}&secret=${a.secret}`);
    const c = collector(es, 'appeal.taken');
    await opened(es);
    const view = await api(srv.base, 'GET', `/api/v1/appeals/${a.tracking_id}`, { secret: a.secret });
    const auth = srv.staff('off.events', 'official', view.json.agency);
    for (const t of [b, a]) {
      const r = await api(srv.base, 'POST', `/api/v1/appeals/${t.tracking_id}/take`, { auth, body: {} });
      assert.equal(r.status, 200, r.text);
    }
    await c.until(1);
    await new Promise((r) => setTimeout(r, 300));
    es.close();
    assert.equal(c.got.length, 1);
    assert.equal(c.got[0].data.tracking_id, a.tracking_id);
  } finally {
    await srv.stop();
  }
});

test("Chromium's EventSource receives appeals as they are registered", async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    const ctx = await context(browser);
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/healthz`);
    await page.evaluate(() => new Promise((resolve, reject) => {
      window.got = [];
      const es = new EventSource('/api/v1/events');
      es.addEventListener('appeal.registered', (e) => window.got.push([e.lastEventId, JSON.parse(e.data)]));
      es.onopen = () => resolve();
      es.onerror = () => reject(new Error('EventSource error'));
      window.es = es;
    }));
    const made = [await submit(srv.base, 20), await submit(srv.base, 21)];
    await page.waitForFunction(() => window.got.length >= 2, null, { timeout: 10000 });
    const got = await page.evaluate(() => window.got);
    assert.deepEqual(got.map(([, d]) => d.tracking_id), made.map((m) => m.tracking_id));
    assert.ok(Number(got[1][0]) > Number(got[0][0]));
    assert.deepEqual(ctx.errors, []);
    await ctx.close();
  } finally {
    await browser.close();
    await srv.stop();
  }
});

test('hostile text stays data in the stream: escaped JSON, never markup', async () => {
  const { payloads } = await import('./xss.mjs');
  const P = payloads();
  assert.ok(P.length >= 200);
  const srv = await startServer(['--cluster_days=1']);
  try {
    const es = new EventSource(`${srv.base}/api/v1/events`);
    const raw = [];
    for (const kind of ['appeal.registered', 'cluster.grew']) {
      es.addEventListener(kind, (e) => raw.push({ kind, data: e.data }));
    }
    await opened(es);
    // Ten payloads to an appeal: in the text (a cluster's representative) and the address.
    for (let i = 0; i < P.length; i += 10) {
      const chunk = P.slice(i, i + 10).join(' ');
      const r = await api(srv.base, 'POST', '/api/v1/appeals', {
        body: { ...appeal(i), text: `Жалоба ${i}: ${chunk}`.slice(0, 9000), address: chunk.slice(0, 500) },
      });
      assert.equal(r.status, 201, r.text);
    }
    const want = (P.length / 10) * 2;
    const end = Date.now() + 20000;
    while (raw.length < want && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    es.close();
    assert.equal(raw.length, want);
    let representatives = 0;
    for (const { kind, data } of raw) {
      // JSON escapes every <, > and &: no event's data holds markup as such.
      assert.ok(!/[<>]/.test(data), `raw markup in ${kind}: ${data.slice(0, 200)}`);
      const j = JSON.parse(data);
      if (kind === 'cluster.grew' && j.representative_text) {
        representatives++;
        assert.equal(typeof j.representative_text, 'string');
        assert.ok(!j.representative_text.includes('example.kz'), 'contacts in the stream');
      }
    }
    assert.ok(representatives > 0, 'no representative text reached the stream');
  } finally {
    await srv.stop();
  }
});
