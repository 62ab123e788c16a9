// xss.test.mjs - the 200 payloads of xss.mjs in every field a citizen or an
// official can fill: on the form shown again with errors (every field at
// once), on the tracking page (text, address, name, e-mail, phone as stored),
// in an official's answer on the tracking page and the public list. None may
// run (no dialog, window.__xss never set, no page error) and each must read
// back as the same text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, context, answerAppeal } from './harness.mjs';
import { payloads } from './xss.mjs';

let srv;
let browser;
const P = payloads();

before(async () => {
  srv = await startServer();
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
