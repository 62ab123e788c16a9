// portal.test.mjs - the citizen's way through the pages in Chromium: submit
// an appeal with JavaScript and with it off, bad input shows the error
// summary with the input kept, the confirmation shows the coupon and the
// tracking link, the tracking page shows status, timeline and due date, the
// answer (in the appeal's language), rating and dispute; the public list of
// answered appeals is redacted; axe-core finds no violation on any page; a
// screenshot of every page goes to tests/e2e/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, context, fillPortal, axe, shot, answerAppeal, api } from './harness.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function assertAxe(page, name) {
  const v = await axe(page);
  assert.deepEqual(v, [], `axe violations on ${name}: ${JSON.stringify(v, null, 1)}`);
}

// Submit the portal form; returns { tracking, secret, href } from the confirmation.
async function submit(page, values) {
  await page.goto(`${srv.base}/?lang=ru`);
  await fillPortal(page, values);
  await Promise.all([page.waitForURL(`${srv.base}/appeal`), page.click('button[type=submit]')]);
  await page.waitForSelector('[data-testid=track-link]');
  const href = await page.getAttribute('[data-testid=track-link]', 'href');
  const m = /^\/track\/([a-z2-7]+)\?secret=([a-z2-7]+)$/.exec(href);
  assert.ok(m, `tracking link ${href}`);
  return { tracking: m[1], secret: m[2], href };
}

test('a citizen submits with JavaScript, tracks, gets an answer, rates and disputes', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await page.goto(`${srv.base}/?lang=ru`);
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  assert.ok(await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')),
    'tyndau.js ran and started govuk-frontend');
  await assertAxe(page, 'portal');
  await shot(page, 'portal-ru');

  const { tracking, secret, href } = await submit(page);
  const coupon = await page.locator('.govuk-summary-list').innerText();
  assert.match(coupon, /Регистрационный номер\s+75-\d{4}-\d{7}/);
  assert.match(coupon, /Дата и время регистрации\s+\d{1,2} [а-я]+ \d{4} г\., \d\d:\d\d/);
  assert.match(coupon, /Зарегистрировал\s+\S+/);
  assert.match(coupon, /срок — до \d{1,2} [а-я]+ \d{4} г\., через \d+ рабоч/);
  assert.ok(coupon.includes(tracking));
  await assertAxe(page, 'confirmation');
  await shot(page, 'confirmation');

  await page.click('[data-testid=track-link]');
  await page.waitForURL(`${srv.base}${href}`);
  assert.equal(await page.locator('[data-testid=status]').innerText(), 'Зарегистрировано');
  assert.match(await page.locator('[data-testid=timeline]').innerText(), /Обращение зарегистрировано/);
  assert.match(await page.locator('#live').innerText(), /срок — до .* через \d+ рабоч/);
  assert.equal(await page.locator('form[action$="/rating"]').count(), 0, 'no rating before an answer');
  await assertAxe(page, 'track (registered)');
  await shot(page, 'track-registered');

  // An official answers in Russian (the appeal's language).
  const answer = 'Яма будет заделана до конца недели. Телефон для справок 8 701 765 43 21.';
  await answerAppeal(srv, tracking, secret, answer, 'ru', 'off-js');
  await page.reload();
  assert.equal(await page.locator('[data-testid=status]').innerText(), 'Дан ответ');
  assert.equal(await page.locator('[data-testid=answer]').getAttribute('lang'), 'ru');
  assert.equal(await page.locator('[data-testid=answer]').innerText(), answer);
  // The page in English keeps the answer in Russian.
  await page.click('a[hreflang=en]');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('[data-testid=status]').innerText(), 'Answered');
  assert.equal(await page.locator('[data-testid=answer]').innerText(), answer);
  await assertAxe(page, 'track (answered)');
  await shot(page, 'track-answered-en');

  // Rating without a score shows the error summary; then a real rating.
  await page.click('form[action$="/rating"] button');
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Choose a rating from 1 to 5/);
  await assertAxe(page, 'track (rating error)');
  await shot(page, 'track-rating-error');
  await page.check('input[name=score][value="4"]');
  await page.fill('#comment', 'Спасибо, быстро.');
  await Promise.all([page.waitForURL(/done=rated/), page.click('form[action$="/rating"] button')]);
  assert.match(await page.locator('.govuk-notification-banner').innerText(), /rating is saved/);
  assert.match(await page.locator('#live').innerText(), /Your rating\s+4 of 5/);
  const stored = await api(srv.base, 'GET', `/api/v1/appeals/${tracking}`, { secret });
  assert.equal(stored.json.rating, 4);
  await assertAxe(page, 'track (rated)');
  await shot(page, 'track-rated');

  // Dispute: back into review.
  await page.fill('#reason', 'Яму так и не заделали.');
  await Promise.all([page.waitForURL(/done=disputed/), page.click('form[action$="/dispute"] button')]);
  assert.equal(await page.locator('[data-testid=status]').innerText(), 'Reopened after a dispute');
  assert.match(await page.locator('[data-testid=timeline]').innerText(), /The answer was disputed/);

  // The public list shows it with the phone number redacted.
  await page.goto(`${srv.base}/answered?lang=ru&region=750000000&topic=roads`);
  assert.equal(await page.locator('[data-testid=answered-item]').count(), 0, 'reopened: not answered now');
  assert.deepEqual(ctx.dialogs, []);
  assert.deepEqual(ctx.errors, []);
  await ctx.close();
});

test('a citizen submits with JavaScript off; bad input keeps what was typed', async () => {
  const ctx = await context(browser, { javaScriptEnabled: false });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await page.goto(`${srv.base}/?lang=kk`);
  assert.ok(!(await page.getAttribute('body', 'class')).includes('govuk-frontend-supported'));

  // No region, short text, bad e-mail, bad IIN, no consent.
  await fillPortal(page, { region: '', text: 'Коротко', email: 'not-an-email', iin: '123456789012',
    consent: false, address: 'Абай даңғылы <b>10</b>' });
  await Promise.all([page.waitForURL(`${srv.base}/appeal`), page.click('button[type=submit]')]);
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  const links = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links.sort(), ['#consent', '#email', '#iin', '#region', '#text'].sort());
  assert.match(await page.title(), /^Қате: /);
  assert.equal(await page.inputValue('#text'), 'Коротко');
  assert.equal(await page.inputValue('#email'), 'not-an-email');
  assert.equal(await page.inputValue('#address'), 'Абай даңғылы <b>10</b>');
  assert.equal(await page.locator('main b').count(), 0);
  assert.equal(await page.locator('.govuk-form-group--error').count(), 5);
  // (axe needs the page's timers: it runs on the same errors with JavaScript below.)
  await shot(page, 'portal-errors-kk');

  await fillPortal(page, { email: 'aigerim@example.kz', iin: '', name: 'Айгерім Сейітова' });
  await Promise.all([page.waitForURL(`${srv.base}/appeal`), page.click('button[type=submit]')]);
  await page.waitForSelector('[data-testid=reg-number]');
  assert.match(await page.locator('h1').innerText(), /Өтінішіңіз тіркелді/);
  const href = await page.getAttribute('[data-testid=track-link]', 'href');
  await page.goto(srv.base + href);
  assert.equal(await page.locator('[data-testid=status]').innerText(), 'Тіркелді');
  await shot(page, 'track-kk-nojs');

  assert.deepEqual(ctx.dialogs, []);
  await ctx.close();
});

test('an anonymous appeal is registered and marked not considered', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await submit(page, { name: '', email: '', phone: '' });
  assert.match(await page.locator('.govuk-warning-text').innerText(), /не рассматривается/);
  await shot(page, 'confirmation-anonymous');
  await ctx.close();
});

test('the public list of answered appeals is redacted and filterable', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  const { tracking, secret } = await submit(page, {
    text: 'Позвоните мне 8 701 123 45 67 или напишите ivan.petrov@mail.kz, ИИН 900101300017: нет света в подъезде.',
    topic: 'housing', region: '750000000',
  });
  await answerAppeal(srv, tracking, secret, 'Свет восстановлен. Мастер: +7 (705) 111-22-33.', 'ru', 'off-list');
  await page.goto(`${srv.base}/answered?lang=ru&region=750000000&topic=housing`);
  const items = page.locator('[data-testid=answered-item]');
  assert.equal(await items.count(), 1);
  const text = await items.first().innerText();
  assert.match(text, /\[PHONE\]/);
  assert.match(text, /\[EMAIL\]/);
  assert.ok(!text.includes('123 45 67') && !text.includes('ivan.petrov') && !text.includes('111-22-33'),
    `personal data on the public list: ${text}`);
  assert.ok(!text.includes('Иван Петров') && !text.includes(tracking), 'no name, no tracking id');
  await assertAxe(page, 'answered');
  await shot(page, 'answered-ru');
  await page.goto(`${srv.base}/answered?lang=ru&region=710000000`);
  assert.equal(await page.locator('[data-testid=answered-item]').count(), 0);
  await page.goto(`${srv.base}/answered?lang=ru&region=nonsense`);
  assert.match(await page.locator('main').innerText(), /Фильтр задан неверно/);
  await ctx.close();
});

test('error pages and a forged form post', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await page.goto(`${srv.base}/?lang=en`);
  await fillPortal(page, { region: '', text: 'short', email: 'x@', consent: false });
  await Promise.all([page.waitForURL(`${srv.base}/appeal`), page.click('button[type=submit]')]);
  await page.waitForSelector('.govuk-error-summary');
  // govuk-frontend moves the focus to the summary.
  assert.ok(await page.evaluate(() => document.activeElement.classList.contains('govuk-error-summary')));
  await assertAxe(page, 'portal (errors)');
  await shot(page, 'portal-errors-en');
  const res = await page.goto(`${srv.base}/track/nosuchappeal?secret=x&lang=en`);
  assert.equal(res.status(), 404);
  assert.match(await page.locator('h1').innerText(), /Appeal not found/);
  await assertAxe(page, 'not found');
  await shot(page, 'not-found');
  // A post without the CSRF cookie and field (another site's form) is refused.
  const forged = await fetch(`${srv.base}/appeal`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'kind=complaint&region=750000000&text=forged+appeal+text&consent=yes',
  });
  assert.equal(forged.status, 403);
  assert.match(await forged.text(), /Форманың мерзімі өтті/);
  await ctx.close();
});
