// work.test.mjs - the officials' workspace and operator intake in Chromium:
// an official signs in (a wrong password first) and sees the queue; a
// citizen's new appeal appears in the open queue without a reload and is
// announced; a colleague takes the case and the open case page shows it
// live; the official answers from a template with the keyboard only, and the
// citizen's open tracking page changes without a reload; without
// JavaScript, "Use the template" fills the answer; bad input shows the error
// summary; an operator registers a phone appeal and gets the coupon.
// axe-core finds no violation on any page; a screenshot of every page goes
// to tests/e2e/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, context, axe, shot, api } from './harness.mjs';

const PASSWORD = 'correct-horse-battery-9'; // what harness.mjs gives every user
let srv;
let browser;
let agency;
let first; // an appeal registered before anyone signs in
let colleague; // the Authorization header of a second official of the agency

before(async () => {
  srv = await startServer();
  browser = await launch();
  first = await submitAppeal('Яма на дороге по улице Абая возле дома 10, прошу отремонтировать.');
  agency = first.agency;
  assert.ok(agency, 'the appeal was routed to an agency');
  srv.staff('off-work', 'official', agency);
  colleague = srv.staff('off-colleague', 'official', agency);
  srv.staff('op-work', 'operator');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function submitAppeal(text) {
  const r = await api(srv.base, 'POST', '/api/v1/appeals', {
    body: {
      kind: 'complaint', channel: 'web', language: 'ru', region: '750000000', topic: 'roads', text,
      contact: { name: 'Айгуль Серикова', phone: '+7 701 123 45 67' }, consent: true,
    },
  });
  assert.equal(r.status, 201, r.text);
  return { tracking: r.json.tracking_id, secret: r.json.secret, number: r.json.registration_number,
    agency: r.json.agency };
}

async function assertAxe(page, name) {
  const v = await axe(page);
  assert.deepEqual(v, [], `axe violations on ${name}: ${JSON.stringify(v, null, 1)}`);
}

async function signIn(page, login, lang = 'ru') {
  await page.goto(`${srv.base}/work/login?lang=${lang}`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/work(\?|$)/), page.click('main button[type=submit]')]);
}

test('an official signs in, sees the queue, and a new appeal arrives live', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  // The workspace sends a browser without a session to the sign-in page.
  await page.goto(`${srv.base}/work?lang=ru`);
  assert.match(page.url(), /\/work\/login\?next=%2Fwork/);
  await assertAxe(page, 'login');
  await shot(page, 'work-login-ru');
  await page.fill('#login', 'off-work');
  await page.fill('#password', 'wrong password');
  await page.click('main button[type=submit]');
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Неверный логин или пароль/);
  assert.equal(await page.inputValue('#login'), 'off-work');
  assert.equal(await page.inputValue('#password'), '', 'the password is never sent back');
  await assertAxe(page, 'login (error)');
  await shot(page, 'work-login-error');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${srv.base}/work`), page.click('main button[type=submit]')]);

  const queue = page.locator('[data-testid=queue]');
  await queue.waitFor();
  assert.match(await queue.innerText(), new RegExp(first.number));
  assert.match(await page.locator(`tr[data-tracking="${first.tracking}"]`).innerText(),
    /срок через \d+ рабоч/);
  assert.match(await page.locator('.tyndau-workbar').innerText(), /Test off-work/);
  await assertAxe(page, 'queue');
  await shot(page, 'work-queue-ru');

  // A citizen submits: the row appears without a reload, and is announced.
  await page.evaluate(() => { window.tyndauMarker = 'same page'; });
  const fresh = await submitAppeal('Не работает уличное освещение на проспекте Абая, 25, темно и опасно.');
  const row = page.locator(`tr[data-tracking="${fresh.tracking}"]`);
  await row.waitFor({ timeout: 10000 });
  assert.equal(await page.evaluate(() => window.tyndauMarker), 'same page', 'no reload');
  assert.match(await page.locator('[data-testid=queue-news]').innerText(), new RegExp(fresh.number));
  assert.ok(await row.evaluate((tr) => tr.classList.contains('tyndau-row--new')));
  await assertAxe(page, 'queue (live row)');
  await shot(page, 'work-queue-live');

  // Filters: an unknown status is refused with the error summary.
  await page.goto(`${srv.base}/work?status=nonsense&lang=en`);
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Choose a status from the list/);
  await page.goto(`${srv.base}/work?overdue=yes&lang=en`);
  assert.equal(await page.locator('[data-testid=queue-empty]').count(), 1, 'nothing is overdue yet');
  assert.deepEqual(ctx.errors, []);
  await ctx.close();
});

test('a colleague takes the case live; the official answers with the keyboard; the citizen sees it live', async () => {
  const appeal = await submitAppeal('Во дворе дома 5 по улице Сатпаева сломаны качели, дети могут пострадать.');
  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await signIn(page, 'off-work');
  await page.goto(`${srv.base}/work/case/${appeal.tracking}?lang=ru`);
  assert.match(await page.locator('[data-testid=appeal-text]').innerText(), /качели/);
  assert.equal(await page.locator('[data-testid=colleague]').count(), 0);
  await assertAxe(page, 'case (registered)');
  await shot(page, 'work-case-registered');

  // The citizen's tracking page is open in another page.
  const citizen = await (await context(browser)).newPage();
  citizen.setDefaultTimeout(10000);
  await citizen.goto(`${srv.base}/track/${appeal.tracking}?secret=${appeal.secret}&lang=ru`);
  assert.equal(await citizen.locator('[data-testid=status]').innerText(), 'Зарегистрировано');
  await citizen.evaluate(() => { window.tyndauMarker = 'same page'; });

  // A colleague takes it through the API: the notice appears without a reload.
  await page.evaluate(() => { window.tyndauMarker = 'same page'; });
  const took = await api(srv.base, 'POST', `/api/v1/appeals/${appeal.tracking}/take`, { auth: colleague, body: {} });
  assert.equal(took.status, 200, took.text);
  const notice = page.locator('[data-testid=colleague]');
  await notice.waitFor();
  assert.match(await notice.innerText(), /Test off-colleague работает с этим обращением с \d/);
  assert.equal(await page.evaluate(() => window.tyndauMarker), 'same page', 'no reload');
  await assertAxe(page, 'case (colleague)');
  await shot(page, 'work-case-colleague');

  // The answer form (in review now), filled and sent with the keyboard only.
  await page.reload();
  assert.equal(await page.inputValue('#answer_language'), 'ru', "the appeal's language by default");
  await page.focus('#template');
  await page.keyboard.press('ArrowDown'); // the first template: Kazakh
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown'); // the first Russian one
  assert.equal(await page.inputValue('#template'), 'ru-resolved');
  assert.match(await page.inputValue('#text'), new RegExp(`Ваше обращение № ${appeal.number} рассмотрено`));
  assert.equal(await page.inputValue('#answer_language'), 'ru');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'answer_language');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'text');
  await page.keyboard.press('End');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' Качели заменят до пятницы.');
  await page.keyboard.press('Tab');
  assert.match(await page.evaluate(() => document.activeElement.textContent), /Отправить ответ/);
  await Promise.all([page.waitForURL(/done=answer/), page.keyboard.press('Enter')]);
  assert.match(await page.locator('[data-testid=done]').innerText(), /Ответ отправлен заявителю/);
  assert.match(await page.locator('[data-testid=answer]').innerText(), /Качели заменят до пятницы\.$/);
  assert.equal(await page.locator('[data-testid=answer]').getAttribute('lang'), 'ru');
  await assertAxe(page, 'case (answered)');
  await shot(page, 'work-case-answered');

  // The citizen's page changed by itself.
  await citizen.waitForFunction(() =>
    document.querySelector('[data-testid=status]').textContent === 'Дан ответ');
  assert.equal(await citizen.evaluate(() => window.tyndauMarker), 'same page', 'no reload');
  // The answer itself and the rating form arrive with it; the due date gives
  // way to when the answer was given.
  const liveAnswer = citizen.locator('[data-testid=answer]');
  await liveAnswer.waitFor();
  assert.match(await liveAnswer.innerText(), /Качели заменят до пятницы\.$/);
  assert.equal(await citizen.locator('input[name=score]').count(), 5, 'the rating form');
  const summary = await citizen.locator('#live .govuk-summary-list').innerText();
  assert.match(summary, /дан \d+ [а-я]+ \d{4} г\., в срок/);
  assert.doesNotMatch(summary, /срок — до/);
  assert.equal(await citizen.evaluate(() => window.tyndauMarker), 'same page', 'no reload');
  await assertAxe(citizen, 'track (answered live)');
  await shot(citizen, 'track-answered-live');
  assert.deepEqual(ctx.errors, []);
  await ctx.close();
});

test('without JavaScript: "Use the template" fills the answer; bad input shows the summary', async () => {
  const appeal = await submitAppeal('На остановке «Орбита» разбито стекло павильона, осколки на тротуаре.');
  const ctx = await context(browser, { javaScriptEnabled: false });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await signIn(page, 'off-work', 'en');
  await page.goto(`${srv.base}/work/case/${appeal.tracking}?lang=en`);
  await Promise.all([page.waitForURL(/done=take/), page.click('form[action$="/take"] button')]);
  assert.match(await page.locator('[data-testid=done]').innerText(), /You took the case/);
  assert.equal(await page.locator('[data-testid=status]').innerText(), 'In review');

  // Sending an empty answer: the error summary.
  await page.click('form[action$="/answer"] button:not([name=use])');
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Write the answer/);
  assert.match(await page.title(), /^Error: /);
  await shot(page, 'work-case-error');

  await page.selectOption('#template', 'kk-planned');
  await page.click('button[name=use]');
  await page.waitForSelector('#text');
  assert.match(await page.inputValue('#text'), new RegExp(`Сіздің № ${appeal.number} өтінішіңіз қаралды`));
  assert.equal(await page.inputValue('#answer_language'), 'kk');
  await Promise.all([page.waitForURL(/done=answer/),
    page.click('form[action$="/answer"] button:not([name=use])')]);
  const view = await api(srv.base, 'GET', `/api/v1/appeals/${appeal.tracking}`, { secret: appeal.secret });
  assert.equal(view.json.status, 'answered');
  assert.equal(view.json.answers[0].language, 'kk');

  // Extending an answered appeal is not offered; closing is.
  assert.equal(await page.locator('form[action$="/extend"]').count(), 0);
  assert.equal(await page.locator('form[action$="/close"]').count(), 1);
  await ctx.close();
});

test('an operator registers a phone appeal and reads out the coupon', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await signIn(page, 'op-work');
  await page.click('a[href^="/work/intake"]');
  await page.waitForSelector('#channel');
  await assertAxe(page, 'intake');
  await shot(page, 'work-intake-ru');

  await page.click('form[action="/work/intake"] button[type=submit]');
  await page.waitForSelector('.govuk-error-summary');
  const links = await page.locator('.govuk-error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links.sort(), ['#channel', '#consent', '#kind', '#name', '#phone', '#region', '#text'].sort());
  await assertAxe(page, 'intake (errors)');
  await shot(page, 'work-intake-errors');

  await page.check('input[name=channel][value=phone]');
  await page.check('input[name=kind][value=request]');
  await page.check('input[name=language][value=kk]');
  await page.fill('#name', 'Ерлан Жақсыбеков');
  await page.fill('#phone', '+7 701 555 44 33');
  await page.selectOption('#region', '750000000');
  await page.selectOption('#topic', 'roads');
  await page.fill('#text', 'Азамат телефон арқылы хабарлады: Сәтбаев көшесіндегі бағдаршам жұмыс істемейді.');
  await page.check('#consent');
  await Promise.all([page.waitForURL(`${srv.base}/work/intake`),
    page.click('form[action="/work/intake"] button[type=submit]')]);
  const coupon = page.locator('[data-testid=coupon]');
  await coupon.waitFor();
  const number = await page.locator('[data-testid=reg-number]').innerText();
  assert.match(number, /^75-\d{4}-\d{7}$/);
  assert.match(await coupon.innerText(), /operator:op-work|Зарегистрировал/);
  const link = await page.locator('[data-testid=track-link]').innerText();
  const m = /^\/track\/([a-z2-7]+)\?secret=([a-z2-7]+)$/.exec(link);
  assert.ok(m, `tracking link ${link}`);
  const view = await api(srv.base, 'GET', `/api/v1/appeals/${m[1]}`, { secret: m[2] });
  assert.equal(view.status, 200, view.text);
  assert.equal(view.json.channel, 'phone');
  assert.equal(view.json.language, 'kk');
  await assertAxe(page, 'intake (coupon)');
  await shot(page, 'work-intake-coupon');

  // The operator's queue is the triage queue; an official cannot open intake.
  await page.goto(`${srv.base}/work?lang=ru`);
  assert.match(await page.locator('h1').innerText(), /ожидающие распределения/);
  await ctx.close();
  const off = await (await context(browser)).newPage();
  await signIn(off, 'off-work');
  const res = await off.goto(`${srv.base}/work/intake`);
  assert.equal(res.status(), 403);
  await assertAxe(off, 'forbidden');
  // Signing out ends the session.
  await off.goto(`${srv.base}/work?lang=ru`);
  await Promise.all([off.waitForURL(/\/work\/login\?done=out/), off.click('.tyndau-workbar button')]);
  await off.goto(`${srv.base}/work`);
  assert.match(off.url(), /\/work\/login/);
});
