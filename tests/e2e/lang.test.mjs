// lang.test.mjs - switching the language changes every visible string. On
// each page (the portal, the public answers, a tracking page with an answer,
// the workspace sign-in and queue) the switcher's links are followed to
// Kazakh, Russian and English; the document's lang follows, and no interface
// string of the English catalog that has its own translation is left visible
// on the Kazakh or Russian page (the appeal's own text and names may be in any
// language). A screenshot of each page in each language goes to tests/e2e/out/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, api, answerAppeal, launch, context, shot, visibleText } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// msgid -> msgstr (the first form) of one catalog.
function catalog(lang) {
  const text = readFileSync(path.join(root, `web/i18n/${lang}.po`), 'utf8');
  const out = new Map();
  let field = null;
  let cur = { msgid: '', msgstr: '' };
  const unq = (s) => JSON.parse(s);
  const flush = () => {
    if (cur.msgid) out.set(cur.msgid, cur.msgstr);
    cur = { msgid: '', msgstr: '' };
  };
  for (const line of text.split('\n')) {
    let m;
    if ((m = /^msgid (".*")$/.exec(line))) { flush(); field = 'msgid'; cur.msgid = unq(m[1]); }
    else if ((m = /^msgid_plural (".*")$/.exec(line))) field = null;
    else if ((m = /^msgstr(?:\[0\])? (".*")$/.exec(line))) { field = 'msgstr'; cur.msgstr = unq(m[1]); }
    else if ((m = /^msgstr\[\d\] (".*")$/.exec(line))) field = null;
    else if ((m = /^(".*")$/.exec(line)) && field) cur[field] += unq(m[1]);
  }
  flush();
  return out;
}

const en = catalog('en');
const translated = { kk: catalog('kk'), ru: catalog('ru') };

// Interface strings of the English page that must not survive a switch:
// two words or more, no placeholder, and translated differently.
function englishLeft(enText, text, lang) {
  const left = [];
  for (const [msgid, msgstr] of en) {
    const shown = msgstr || msgid;
    if (shown.includes('{') || shown.split(/\s+/).length < 2) continue;
    const other = translated[lang].get(msgid);
    if (!other || other === shown) continue;
    if (enText.includes(shown) && text.includes(shown)) left.push(shown);
  }
  return left;
}

async function switchTo(page, lang) {
  await Promise.all([page.waitForLoadState('load'), page.click(`a[hreflang=${lang}]`)]);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  return visibleText(page);
}

test('switching the language changes every visible string', async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    const made = await api(srv.base, 'POST', '/api/v1/appeals', {
      body: {
        kind: 'complaint', channel: 'web', language: 'ru', region: '750000000', topic: 'roads',
        text: 'Во дворе дома 5 на улице Абая не горят фонари уже неделю.',
        contact: { name: 'Дана Омарова' }, consent: true,
      },
    });
    assert.equal(made.status, 201, made.text);
    const { tracking_id: tid, secret } = made.json;
    await answerAppeal(srv, tid, secret, 'Фонари заменены 12 декабря.', 'ru', 'off.lang');
    const ctx = await context(browser);
    const page = await ctx.newPage();
    const pages = [
      ['portal', '/'],
      ['answered', '/answered'],
      ['track', `/track/${tid}?secret=${secret}`],
      ['work-login', '/work/login'],
    ];
    const problems = [];
    for (const [name, url] of pages) {
      await page.goto(`${srv.base}${url}${url.includes('?') ? '&' : '?'}lang=en`);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      const textEn = await visibleText(page);
      await shot(page, `lang-${name}-en`);
      // The check has teeth: the English page itself would fail it.
      assert.ok(englishLeft(textEn, textEn, 'kk').length >= 3,
        `${name}: too few catalog strings found on the English page`);
      const seen = { en: textEn };
      for (const lang of ['kk', 'ru']) {
        seen[lang] = await switchTo(page, lang);
        await shot(page, `lang-${name}-${lang}`);
        const left = englishLeft(textEn, seen[lang], lang);
        if (left.length) problems.push(`${name} in ${lang}: ${left.slice(0, 5).join(' | ')}`);
      }
      assert.notEqual(seen.kk, seen.en, `${name}: kk and en read the same`);
      assert.notEqual(seen.ru, seen.kk, `${name}: ru and kk read the same`);
      // and back to English by the switcher, with the choice remembered
      const back = await switchTo(page, 'en');
      assert.equal(back.trim(), textEn.trim(), `${name}: back in English reads differently`);
      await page.goto(`${srv.base}${url}`);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en',
        `${name}: the chosen language was not remembered`);
      await page.goto(`${srv.base}${url}${url.includes('?') ? '&' : '?'}lang=kk`);
    }
    assert.deepEqual(problems, [], `English left on switched pages:\n${problems.join('\n')}`);
    assert.deepEqual(ctx.errors, []);
    await ctx.close();
  } finally {
    await browser.close();
    await srv.stop();
  }
});
