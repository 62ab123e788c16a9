// dashboard.test.mjs - the live dashboard and the opinion page in Chromium:
// a supervisor without a session is sent to sign in, then opens /dashboard;
// appeals submitted through the API move the counters, the day table and
// the feed without a reload; the map has the 20 regions, each with its KATO
// code, and re-shades in place; the tables alone carry the figures without
// JavaScript; an analyst opens /opinion after `tyndau opinion demo-sample`
// and sees every figure, the notice that appeals are not opinion, the chart
// and its table. axe-core finds no violation; screenshots go to
// tests/e2e/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, context, axe, shot, api } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.TYNDAU_BIN || path.join(root, 'tyndau');
const PASSWORD = 'correct-horse-battery-9'; // what harness.mjs gives every user
let srv;
let browser;
let agency;

before(async () => {
  srv = await startServer();
  browser = await launch();
  const first = await submit(0);
  agency = first.agency;
  assert.ok(agency, 'the appeal was routed to an agency');
  await submit(1);
  srv.staff('sup-dash', 'supervisor', agency);
  srv.staff('ana-dash', 'analyst');
  // Real figures for /opinion: the synthetic sample and its tables.
  execFileSync(BIN, ['opinion', 'demo-sample', srv.db, '--count=2000', '--seed=3'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function submit(n) {
  const r = await api(srv.base, 'POST', '/api/v1/appeals', {
    body: {
      kind: 'complaint', channel: 'web', language: 'ru', region: '750000000', topic: 'roads',
      text: `Яма на дороге по улице Абая возле дома ${10 + n}, прошу отремонтировать (${n}).`,
      contact: { name: 'Айгуль Серикова', phone: '+7 701 123 45 67' }, consent: true,
    },
  });
  assert.equal(r.status, 201, r.text);
  return { number: r.json.registration_number, agency: r.json.agency };
}

async function assertAxe(page, name) {
  const v = await axe(page);
  assert.deepEqual(v, [], `axe violations on ${name}: ${JSON.stringify(v, null, 1)}`);
}

async function signIn(page, login) {
  await page.goto(`${srv.base}/work/login?lang=ru`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
}

const counter = (page, key) => page.textContent(`[data-counter="${key}"]`);

test('a supervisor watches the counters move as appeals arrive', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await page.goto(`${srv.base}/dashboard?lang=ru`);
  assert.match(page.url(), /\/work\/login\?next=%2Fdashboard/, 'no session: sign in first');
  // Signing in there brings the supervisor back to the dashboard.
  await page.fill('#login', 'sup-dash');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.match(new URL(page.url()).pathname, /^\/dashboard$/, 'back on the dashboard');
  await page.goto(`${srv.base}/dashboard?lang=ru`);
  assert.equal(await page.title(), 'Панель мониторинга – tyndau');
  assert.equal((await counter(page, 'received_today')).trim(), '2');
  assert.equal((await counter(page, 'open')).trim(), '2');

  // The map: 20 regions by KATO code, Almaty shaded darkest (all appeals).
  const katos = await page.$$eval('#kz-map path[data-kato]', (ps) => ps.map((p) => p.dataset.kato));
  assert.equal(katos.length, 20);
  assert.equal(new Set(katos).size, 20);
  assert.ok(katos.includes('750000000') && katos.includes('100000000'));
  assert.equal(await page.$$eval('#table-regions tbody tr', (r) => r.length), 20);
  const almaty = '#kz-map path[data-kato="750000000"]';
  assert.equal(await page.getAttribute(almaty, 'fill'), '#1d4e89');
  assert.equal(await page.$$eval('#table-days tbody tr', (r) => r.length), 30);
  await page.waitForSelector('#chart-days canvas');
  await page.waitForFunction(() => document.querySelector('#dash-feed') !== null);
  await assertAxe(page, 'dashboard');
  await shot(page, 'dashboard-ru');

  // New appeals arrive: the counters, the day table and the feed move,
  // and the page is the same page (no reload).
  await page.evaluate(() => { window.tyndauMarker = 'kept'; });
  const a = await submit(2);
  const b = await submit(3);
  await page.waitForFunction(() => document.querySelector('[data-counter="received_today"]').textContent.trim() === '4',
    null, { timeout: 10000 });
  assert.equal((await counter(page, 'open')).trim(), '4');
  const today = await page.$eval('#table-days tbody tr', (tr) => tr.querySelector('[data-cell=count]').textContent.trim());
  assert.equal(today, '4');
  await page.waitForFunction((nums) => nums.every((n) => document.querySelector('#dash-feed').textContent.includes(n)),
    [a.number, b.number]);
  const almatyRow = await page.$eval('#table-regions tr[data-kato="750000000"] [data-cell=received]', (td) => td.textContent.trim());
  assert.equal(almatyRow, '4');
  assert.equal(await page.evaluate(() => window.tyndauMarker), 'kept', 'the page was not reloaded');

  // Shade by overdue share in place: nothing is overdue, so the lightest.
  await page.click('a.tyndau-shade-link[data-shade=overdue]');
  assert.equal(await page.getAttribute('#kz-map', 'data-shade'), 'overdue');
  assert.equal(await page.getAttribute(almaty, 'fill'), '#fbe0d4');
  assert.equal(await page.getAttribute('a.tyndau-shade-link[data-shade=overdue]', 'aria-current'), 'true');
  assert.match(page.url(), /shade=overdue/);
  assert.equal(await page.evaluate(() => window.tyndauMarker), 'kept');
  await assertAxe(page, 'dashboard shaded by overdue share');
  assert.deepEqual(ctx.errors, []);
  await ctx.close();
});

test('without JavaScript the tables carry every figure', async () => {
  const ctx = await context(browser, { javaScriptEnabled: false });
  const page = await ctx.newPage();
  await signIn(page, 'ana-dash');
  const res = await page.goto(`${srv.base}/dashboard?lang=en&shade=overdue`);
  assert.equal(res.status(), 200);
  assert.equal((await counter(page, 'received_today')).trim(), '4');
  assert.equal(await page.$$eval('#table-days tbody tr', (r) => r.length), 30);
  assert.equal(await page.isVisible('#chart-days'), false, 'no empty chart box');
  assert.equal(await page.isVisible('#dash-feed'), false, 'no live feed without the stream');
  const top = await page.$eval('#table-topics tbody tr', (tr) => tr.textContent);
  assert.match(top, /Roads/);
  assert.equal(await page.getAttribute('#kz-map', 'data-shade'), 'overdue');
  // A bad filter is refused with a page that says why.
  const bad = await page.goto(`${srv.base}/dashboard?lang=en&region=123`);
  assert.equal(bad.status(), 400);
  assert.match(await page.textContent('main'), /no such region/i);
  await ctx.close();
});

test('an analyst reads the opinion figures beside the appeals notice', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await signIn(page, 'ana-dash');
  await page.goto(`${srv.base}/opinion?lang=en`);
  assert.match(await page.textContent('[data-testid=no-figures]'), /Choose a topic/);
  await page.selectOption('#topic', 'housing');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.match(page.url(), /topic=housing/);
  assert.match(await page.textContent('[data-testid=appeals-notice]'), /Appeals are a separate stream/);
  assert.match(await page.textContent('[data-testid=synthetic]'), /SYNTHETIC/);
  const est = await page.textContent('[data-testid=estimate]');
  assert.match(est, /^\d+\.\d% \(95% CI \d+\.\d% to \d+\.\d%\)$/);
  assert.match(await page.textContent('[data-testid=n]'), /n = [\d,]+, n_eff = [\d.]+/);
  assert.match(await page.textContent('[data-testid=figures]'), /weighted to the adults of Kazakhstan/);
  assert.match(await page.textContent('[data-testid=calibration]'), /kz_margins, version 1, reference date \d{4}-\d{2}-\d{2}/);
  assert.equal(await page.$$eval('#table-shares tbody tr', (r) => r.length), 5);
  assert.ok(await page.$('svg.tyndau-bars circle'), 'the chart is drawn');
  await assertAxe(page, 'opinion');
  await shot(page, 'opinion-en');
  // The same page in Kazakh, and a bad date refused with the error summary.
  await page.goto(`${srv.base}/opinion?lang=kk&topic=housing`);
  assert.match(await page.textContent('h1'), /Әлеуметтік желілердегі пікір/);
  await shot(page, 'opinion-kk');
  const bad = await page.goto(`${srv.base}/opinion?lang=en&topic=housing&from=2026-13-01`);
  assert.equal(bad.status(), 400);
  assert.ok(await page.$('.govuk-error-summary a[href="#from"]'));
  await assertAxe(page, 'opinion with an error');
  assert.deepEqual(ctx.errors, []);
  await ctx.close();
});
