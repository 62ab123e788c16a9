// triage.test.mjs - triage and assignment on the case page in Chromium: an
// appeal the router could not place waits in the operators' queue; an
// operator opens it, sees the router's suggestion, sends the form empty
// (the error summary names both fields), then sets the topic and the body,
// and the appeal appears in that body's open queue without a reload. A
// supervisor sends the assign form empty (error summary), then assigns an
// official: the supervisor's queue says who has the case, and the official's
// open queue marks it as theirs without a reload. axe-core finds no
// violation on any of these pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, context, axe, shot, api } from './harness.mjs';

const PASSWORD = 'correct-horse-battery-9'; // what harness.mjs gives every user
let srv;
let browser;
let waterAgency;

before(async () => {
  srv = await startServer();
  browser = await launch();
  const placed = await submit({ topic: 'water', text: 'Нет холодной воды в доме 12 по улице Жандосова уже третий день.' });
  waterAgency = placed.agency;
  assert.ok(waterAgency, 'a water appeal is routed');
  srv.staff('op-tri', 'operator');
  srv.staff('off-tri', 'official', waterAgency);
  srv.staff('off-two', 'official', waterAgency);
  srv.staff('sup-tri', 'supervisor', waterAgency);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function submit(v) {
  const r = await api(srv.base, 'POST', '/api/v1/appeals', {
    body: {
      kind: 'complaint', channel: 'web', language: 'ru', region: '750000000', consent: true,
      contact: { name: 'Айгуль Серикова', phone: '+7 701 123 45 67' }, ...v,
    },
  });
  assert.equal(r.status, 201, r.text);
  return { tracking: r.json.tracking_id, number: r.json.registration_number, agency: r.json.agency };
}

async function signIn(page, login) {
  await page.goto(`${srv.base}/work/login?lang=ru`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/work(\?|$)/), page.click('main button[type=submit]')]);
}

async function assertAxe(page, name) {
  const v = await axe(page);
  assert.deepEqual(v, [], `axe violations on ${name}: ${JSON.stringify(v, null, 1)}`);
}

test('an operator triages an appeal and it appears in the body\'s live queue', async () => {
  const lost = await submit({ topic: null, text: 'qwzx vbnm plkj hgfd zzkk wqpt' });
  assert.equal(lost.agency, null, 'the router sent it to triage');

  // The official of the water body has the open queue in front of them.
  const offCtx = await context(browser);
  const off = await offCtx.newPage();
  off.setDefaultTimeout(10000);
  await signIn(off, 'off-tri');
  await off.locator('[data-testid=queue]').waitFor();
  assert.equal(await off.locator(`tr[data-tracking="${lost.tracking}"]`).count(), 0);
  await off.evaluate(() => { window.tyndauMarker = 'same page'; });

  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await signIn(page, 'op-tri');
  assert.equal(await page.locator(`tr[data-tracking="${lost.tracking}"]`).count(), 1, 'in triage');
  await page.goto(`${srv.base}/work/case/${lost.tracking}?lang=ru`);
  assert.match(await page.locator('#triage-heading').innerText(), /Задайте тему и орган/);
  // The router's own guess, with its confidence, is shown and preselected.
  assert.match(await page.locator('[data-testid=suggestion]').innerText(), /уверенность \d+%/);
  // The model's next likely topics, each with its probability, none of them
  // the suggested one.
  const also = await page.locator('[data-testid=also-likely]').innerText();
  assert.match(also, /^Также вероятны: [^;]+, \d+%; [^;]+, \d+%; [^;]+, \d+%$/);
  const suggested = (await page.locator('[data-testid=suggestion] li').first().innerText())
    .replace(/^тема /, '').replace(/, уверенность \d+%$/, '');
  assert.ok(!also.includes(suggested + ','), `${suggested} is suggested already`);
  assert.doesNotMatch(await page.locator('[data-testid=timeline]').innerText(), /routed_by/);
  await assertAxe(page, 'case (triage)');
  await shot(page, 'work-case-triage');

  // Sent empty: the error summary names both fields, the page still works.
  await page.selectOption('#triage_topic', '');
  await page.selectOption('#triage_agency', '');
  await page.click('#triage-heading ~ form button[type=submit]');
  await page.waitForSelector('.govuk-error-summary');
  const summary = await page.locator('.govuk-error-summary').innerText();
  assert.match(summary, /Выберите тему из списка/);
  assert.match(summary, /Выберите орган из списка/);
  await assertAxe(page, 'case (triage, errors)');
  await shot(page, 'work-case-triage-error');

  await page.selectOption('#triage_topic', 'water');
  await page.selectOption('#triage_agency', waterAgency);
  await Promise.all([page.waitForURL(/\/work\?done=triaged/),
    page.click('#triage-heading ~ form button[type=submit]')]);
  assert.match(await page.locator('.govuk-notification-banner').innerText(), /в очереди органа/);
  assert.equal(await page.locator(`tr[data-tracking="${lost.tracking}"]`).count(), 0, 'left triage');
  await assertAxe(page, 'queue (triaged)');

  // The body's open queue shows it without a reload.
  await off.locator(`tr[data-tracking="${lost.tracking}"]`).waitFor();
  assert.equal(await off.evaluate(() => window.tyndauMarker), 'same page', 'no reload');
  // The operator's choice stands.
  const view = await api(srv.base, 'GET', `/api/v1/appeals/${lost.tracking}`, {
    auth: srv.staff('off-view', 'official', waterAgency),
  });
  assert.equal(view.json.topic, 'water');
  assert.equal(view.json.agency, waterAgency);
  assert.deepEqual(ctx.errors, []);
  assert.deepEqual(offCtx.errors, []);
  await ctx.close();
  await offCtx.close();
});

test('a supervisor assigns an official, who sees the case as theirs', async () => {
  const appeal = await submit({ topic: 'water', text: 'Из крана течёт ржавая вода в доме 3 по улице Розыбакиева.' });
  assert.equal(appeal.agency, waterAgency);

  const offCtx = await context(browser);
  const off = await offCtx.newPage();
  off.setDefaultTimeout(10000);
  await signIn(off, 'off-two');
  const offRow = off.locator(`tr[data-tracking="${appeal.tracking}"]`);
  await offRow.waitFor();
  assert.doesNotMatch(await offRow.innerText(), /ваше/);
  await off.evaluate(() => { window.tyndauMarker = 'same page'; });

  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await signIn(page, 'sup-tri');
  await page.goto(`${srv.base}/work/case/${appeal.tracking}?lang=ru`);
  await assertAxe(page, 'case (assign)');
  await shot(page, 'work-case-assign');
  await page.click('#assign-heading ~ form button[type=submit]');
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Выберите сотрудника вашего органа из списка/);
  await assertAxe(page, 'case (assign, error)');

  await page.selectOption('#assignee', { label: 'Test off-two' });
  await Promise.all([page.waitForURL(/done=assign/), page.click('#assign-heading ~ form button[type=submit]')]);
  assert.match(await page.locator('[data-testid=done]').innerText(), /Дело назначено/);
  await assertAxe(page, 'case (assigned)');

  // The supervisor's queue says who has it.
  await page.goto(`${srv.base}/work?lang=ru`);
  assert.match(await page.locator(`tr[data-tracking="${appeal.tracking}"] [data-testid=holder]`).innerText(),
    /Test off-two/);
  await assertAxe(page, 'queue (holder)');
  await shot(page, 'work-queue-holder');

  // The official's open queue marks it as theirs without a reload.
  await off.waitForFunction((t) => /ваше/.test(document.querySelector(`tr[data-tracking="${t}"]`)?.innerText || ''),
    appeal.tracking);
  assert.equal(await off.evaluate(() => window.tyndauMarker), 'same page', 'no reload');
  assert.deepEqual(ctx.errors, []);
  await ctx.close();
  await offCtx.close();
});
