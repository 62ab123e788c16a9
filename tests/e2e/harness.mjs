// harness.mjs - what every browser test shares: start the real tyndau binary
// (TYNDAU_BIN, else ./tyndau) on 127.0.0.1 with a fresh SQLite file in a
// temporary directory (after `tyndau migrate`), make staff users with API
// tokens, answer an appeal through the JSON API, open Chromium (Debian's
// /usr/bin/chromium, headless) through playwright-core, inject axe-core, save
// screenshots under tests/e2e/out/, and stop everything.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = path.join(root, 'tests/e2e/out');
const BIN = process.env.TYNDAU_BIN || path.join(root, 'tyndau');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const AXE = readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

// A running server: base URL, its database, and stop().
export async function startServer(extraArgs = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tyndau-e2e-'));
  const db = `--db=sqlite:${path.join(dir, 'e2e.db')}`;
  execFileSync(BIN, ['migrate', db], { stdio: ['ignore', 'ignore', 'pipe'] });
  const child = spawn(BIN, ['serve', '--listen=127.0.0.1:0', db, '--scheduler_interval_ms=0',
    '--rate_submit=100000', '--log_level=warn', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no port line in 20 s; stderr: ${stderr}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^listening on http:\/\/127\.0\.0\.1:(\d+)\n/m.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`tyndau exited ${code}: ${stderr}`)); });
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    db,
    dir, // the temporary directory: the database and the mail spool (mail-spool/)
    stderr: () => stderr,
    // A staff user with an API token: the Authorization header value.
    staff(login, role, agency) {
      const args = ['user', 'add', login, `--role=${role}`, `--name=Test ${login}`, db];
      if (agency) args.push(`--agency=${agency}`);
      execFileSync(BIN, args, { input: 'correct-horse-battery-9\n', stdio: ['pipe', 'ignore', 'pipe'] });
      const tok = execFileSync(BIN, ['user', 'token', login, db], { encoding: 'utf8' }).trim();
      return `Bearer ${tok}`;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => { if (child.exitCode !== null) r(); else child.on('exit', r); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// JSON API call as a test client (not the browser).
export async function api(base, method, p, { auth, secret, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (auth) headers.authorization = auth;
  if (secret) headers['x-tracking-secret'] = secret;
  const res = await fetch(base + p, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

// Take and answer an appeal as an official of its agency; returns the agency.
export async function answerAppeal(srv, tracking, secret, text, language, login) {
  const view = await api(srv.base, 'GET', `/api/v1/appeals/${tracking}`, { secret });
  if (view.status !== 200) throw new Error(`view ${view.status} ${view.text}`);
  const agency = view.json.agency;
  const auth = srv.staff(login, 'official', agency);
  let r = await api(srv.base, 'POST', `/api/v1/appeals/${tracking}/take`, { auth, body: {} });
  if (r.status !== 200) throw new Error(`take ${r.status} ${r.text}`);
  r = await api(srv.base, 'POST', `/api/v1/appeals/${tracking}/answer`, { auth, body: { text, language } });
  if (r.status !== 200) throw new Error(`answer ${r.status} ${r.text}`);
  return agency;
}

export async function launch() {
  const args = ['--disable-dev-shm-usage', '--disable-gpu'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

// A browser context that records dialogs and page errors on every page.
export async function context(browser, opts = {}) {
  const ctx = await browser.newContext({ locale: 'kk-KZ', ...opts });
  ctx.dialogs = [];
  ctx.errors = [];
  ctx.on('page', (page) => watch(ctx, page));
  return ctx;
}

function watch(ctx, page) {
  page.on('dialog', (d) => { ctx.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => { ctx.errors.push(String(e)); });
}

// Fill the portal form (already open) with valid values, overridden by v.
export async function fillPortal(page, v = {}) {
  const val = {
    kind: 'complaint', topic: 'roads', region: '750000000',
    text: 'На улице Абая у дома 10 глубокая яма на проезжей части, опасно для машин.',
    address: 'Алматы, ул. Абая, 10', name: 'Иван Петров', email: 'ivan@example.kz',
    phone: '+7 701 123 45 67', iin: '', consent: true, ...v,
  };
  if (val.kind) await page.check(`input[name=kind][value=${val.kind}]`);
  if (val.topic !== undefined) await page.selectOption('#topic', val.topic);
  if (val.region !== undefined) await page.selectOption('#region', val.region);
  await page.fill('#text', val.text);
  await page.fill('#address', val.address);
  await page.fill('#name', val.name);
  await page.fill('#email', val.email);
  await page.fill('#phone', val.phone);
  await page.fill('#iin', val.iin);
  if (val.consent) await page.check('#consent');
  return val;
}

// axe-core on the page: the violations (none expected).
export async function axe(page) {
  // Evaluated through the driver: the page's CSP (no inline script) stays on.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
}

export async function shot(page, name) {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

// The visible text of the page body.
export async function visibleText(page) {
  return page.evaluate(() => document.body.innerText);
}
