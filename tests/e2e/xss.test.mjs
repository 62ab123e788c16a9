// xss.test.mjs - the 200 payloads of xss.mjs in every field a citizen or an
// official can fill: on the form shown again with errors (every field at
// once), on the tracking page (text, address, name, e-mail, phone as stored),
// in an official's answer on the tracking page and the public list, and in
// the e-mail the citizen receives (the HTML part of each .eml the scheduler
// writes into the spool, loaded with JavaScript on). None may run (no
// dialog, window.__xss never set, no page error, no console message, no
// network request) and each must read back as the same text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, context, answerAppeal } from './harness.mjs';
import { payloads } from './xss.mjs';

let srv;
let browser;
const P = payloads();
let answerText; // the answer carrying every payload (set by the tracking-page test)

before(async () => {
  // The scheduler writes queued e-mail into the spool every 300 ms.
  srv = await startServer(['--scheduler_interval_ms=300']);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function inert(page, ctx, where) {
  assert.equal(await page.evaluate(() => window.__xss), undefined, `script ran on ${where}`);
  assert.deepEqual(ctx.dialogs, [], `dialog on ${where}`);
  assert.deepEqual(ctx.errors, [], `page error on ${where}`);
}

// Every Set-Cookie of a response (Node 18's fetch has no getSetCookie():
// there the values come joined by commas, and a cookie starts at NAME=).
function setCookies(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const all = headers.get('set-cookie');
  return all ? all.split(/,(?=\s*[A-Za-z0-9_.-]+=)/).map((c) => c.trim()) : [];
}

// A form session for posting outside the browser: the CSRF cookie and field.
async function formSession() {
  const res = await fetch(`${srv.base}/?lang=en`);
  const cookie = setCookies(res.headers).map((c) => c.split(';')[0]).join('; ');
  const html = await res.text();
  const csrf = /name="csrf" value="([a-z2-7]+)"/.exec(html)[1];
  return { cookie, csrf };
}

test('payloads in every field of the form shown again with errors', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await page.goto(`${srv.base}/?lang=en`);
  // Ten payloads at a time, joined by spaces, in every field at once.
  for (let i = 0; i < P.length; i += 10) {
    const p = P.slice(i, i + 10).join(' ');
    // Fill through the DOM (fast) and submit: the consent box unticked makes it an error page.
    await page.evaluate((v) => {
      for (const id of ['text', 'address', 'name', 'email', 'phone', 'iin', 'lat', 'lon'])
        document.getElementById(id).value = v;
      document.getElementById('consent').checked = false;
      window.__before = true; // gone once the next page has loaded
    }, p);
    await page.click('button[type=submit]');
    await page.waitForFunction(() => !window.__before && document.readyState === 'complete');
    assert.ok(await page.locator('.govuk-error-summary').count(), `payload ${i}: no error page`);
    const back = await page.evaluate(() => ['text', 'address', 'name', 'email', 'phone', 'iin', 'lat', 'lon']
      .map((id) => document.getElementById(id).value));
    for (const v of back) assert.equal(v, p.trim(), `payloads ${i}..${i + 9} not kept as text`);
    await inert(page, ctx, `error page, payload ${i}`);
  }
  await ctx.close();
});

test('payloads in stored appeals and answers on the tracking page and the public list', async () => {
  const s = await formSession();
  const tracks = [];
  for (const [i, p] of P.entries()) {
    const body = new URLSearchParams({
      csrf: s.csrf, lang: 'en', kind: 'complaint', topic: 'roads', region: '750000000',
      text: p, address: p, name: p, email: 'x@example.kz', phone: '+7 701 000 00 00', consent: 'yes',
    });
    const res = await fetch(`${srv.base}/appeal`, {
      method: 'POST', body, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 200, `payload ${i}: ${res.status}`);
    const html = await res.text();
    assert.ok(!html.includes(p) || !/[<>"']/.test(p), `payload ${i} raw in the confirmation`);
    tracks.push(/href="(\/track\/[a-z2-7]+\?secret=[a-z2-7]+)"/.exec(html)[1]);
  }
  // One official answer carrying every payload.
  const first = /\/track\/([a-z2-7]+)\?secret=([a-z2-7]+)/.exec(tracks[0]);
  const answer = P.join('\n');
  answerText = answer;
  await answerAppeal(srv, first[1], first[2], answer, 'en', 'off-xss');

  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  for (const [i, href] of tracks.entries()) {
    await page.goto(srv.base + href.replace(/&amp;/g, '&'));
    const shown = await page.locator('main .govuk-inset-text.tyndau-prose').innerText();
    assert.equal(shown.trim(), P[i].trim(), `payload ${i} not shown as text`);
    assert.ok((await page.locator('main').innerText()).includes(P[i].trim()), `payload ${i} address/name`);
    await inert(page, ctx, `tracking page, payload ${i}`);
  }
  await page.goto(srv.base + tracks[0]);
  assert.equal((await page.locator('[data-testid=answer]').innerText()).trim(), answer.trim());
  await inert(page, ctx, 'tracking page with the answer');
  await page.goto(`${srv.base}/answered?lang=en`);
  const item = await page.locator('[data-testid=answered-item]').first().innerText();
  assert.ok(item.includes(P[0].trim()), 'the public list shows the payload as text');
  await inert(page, ctx, 'answered list');
  await ctx.close();
});

// The decoded HTML part of an .eml file (base64, as tyndau writes it).
function htmlPart(eml) {
  const m = /Content-Type: text\/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--=_/.exec(eml);
  assert.ok(m, 'no base64 HTML part');
  return Buffer.from(m[1].replace(/\r\n/g, ''), 'base64').toString('utf8');
}

async function spoolFiles(want) {
  const dir = path.join(srv.dir, 'mail-spool');
  for (let i = 0; i < 200; i++) {
    let names = [];
    try { names = readdirSync(dir).filter((n) => /^tyndau-\d+\.eml$/.test(n)); } catch { /* not yet */ }
    if (names.length >= want) return names.map((n) => readFileSync(path.join(dir, n), 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`fewer than ${want} messages in the spool`);
}

test('payloads in the e-mail to the citizen: the HTML part is inert', async () => {
  assert.ok(answerText, 'the tracking-page test runs first');
  // 200 registrations and one answer.
  const files = await spoolFiles(P.length + 1);
  const ctx = await context(browser, { javaScriptEnabled: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  const requests = [];
  const consoleMsgs = [];
  await page.route('**/*', (route) => { requests.push(route.request().url()); route.abort(); });
  page.on('console', (m) => consoleMsgs.push(m.text()));
  const want = new Set(P.map((p) => p.trim()));
  const seen = new Set();
  let answers = 0;
  for (const [i, eml] of files.entries()) {
    const html = htmlPart(eml);
    assert.ok(!/<script/i.test(html), `message ${i}: a script element`);
    await page.setContent(html, { waitUntil: 'load' });
    await new Promise((r) => setTimeout(r, 20)); // let any timer or handler have its chance
    assert.equal(await page.evaluate(() => window.__xss), undefined, `message ${i}: script ran`);
    assert.deepEqual(ctx.dialogs, [], `message ${i}: dialog`);
    assert.deepEqual(ctx.errors, [], `message ${i}: page error`);
    assert.deepEqual(consoleMsgs, [], `message ${i}: console message`);
    assert.deepEqual(requests, [], `message ${i}: network request`);
    // Only our own elements: the payloads left no element or handler behind.
    const stray = await page.evaluate(() => [...document.querySelectorAll('*')]
      .filter((e) => !['HTML', 'HEAD', 'META', 'TITLE', 'BODY', 'TABLE', 'TBODY', 'TR', 'TD', 'P', 'A', 'STRONG', 'SPAN'].includes(e.tagName)
        || [...e.attributes].some((a) => a.name.startsWith('on')))
      .map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(stray, [], `message ${i}: elements or handlers not ours`);
    const text = (await page.locator('[data-part=text]').textContent()).trim();
    assert.ok(want.has(text), `message ${i}: the appeal text is not a payload as text`);
    seen.add(text);
    const address = (await page.locator('[data-part=address]').textContent()).trim();
    assert.equal(address, text, `message ${i}: the address is not the payload as text`);
    if (await page.locator('[data-part=block]').count()) {
      answers++;
      assert.equal((await page.locator('[data-part=block]').textContent()).trim(), answerText.trim(),
        'the answer is not the payloads as text');
    }
  }
  assert.equal(seen.size, want.size, 'every payload reached an e-mail');
  assert.equal(answers, 1, 'one answer e-mail');
  await ctx.close();
});
