#!/usr/bin/env node
// holidays.mjs - compare our calendar of Kazakhstan with an independent one,
// the npm package date-holidays (country KZ), for 2025-2027.
//
//   node tests/oracle/holidays.mjs CALENDAR.json
//
// CALENDAR.json is [{"date":"YYYY-MM-DD","kind":"holiday|dayoff|workday",
// "name":"...", ...}], as printed by tests/oracle/calendar_dump (see
// README.md). Checks, both ways:
//   - every date-holidays holiday of type "public" is a holiday or day off of
//     ours, unless ALLOWED_MISSING explains why not;
//   - every holiday or day off of ours on a weekday is a date-holidays public
//     holiday, unless ALLOWED_EXTRA explains why not (a holiday on a weekend
//     changes no working day, so it is compared only the first way);
//   - no day we made working is a date-holidays holiday;
//   - every allowed difference still is one (a stale excuse is an error).
// Exits 0 if all hold, 1 on a mismatch, 2 on bad input.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Holidays from 'date-holidays';

const YEARS = [2025, 2026, 2027];

// date-holidays has these as public holidays; we do not.
const ALLOWED_MISSING = {
  '2026-03-15':
    'date-holidays moves Constitution Day to 15 March from 2026; the Constitution was adopted ' +
    'by referendum on that very day (a Sunday), and the labour ministry said the new date is ' +
    'kept from 2027 (taspanews.kz, 18.03.2026)',
  '2026-03-16': 'the Monday date-holidays gives off for 15 March 2026; see 2026-03-15',
};

// Weekday holidays or days off of ours that date-holidays does not have.
const ALLOWED_EXTRA = {
  '2025-01-03':
    'a ministerial move (order approved 21.11.2024: day off from Sunday 5 January to Friday ' +
    '3 January); date-holidays models the law only',
  '2026-03-25':
    'Nauryz 2026: Law 267-II art. 5 makes the next working day after the holiday a day off for ' +
    'each of Sat 21 and Sun 22, i.e. Tue 24 and Wed 25 (egov.kz calendar via Kazinform); ' +
    'date-holidays maps Sat->Mon, Sun->Tue, landing on 23 (itself a holiday) and 24',
  '2027-03-24':
    'Nauryz 2027: Sun 21 -> the next working day after 21-23 March is Wed 24; date-holidays ' +
    'maps Sun->Tue 23, itself a holiday',
};

const KINDS = new Set(['holiday', 'dayoff', 'workday']);

function fail(msg) {
  console.error(`holidays.mjs: ${msg}`);
  process.exit(2);
}

function isWeekend(date) {
  const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
  return wd === 0 || wd === 6;
}

function loadOurs(path) {
  let rows;
  try {
    rows = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    fail(`cannot read ${path}: ${e.message}`);
  }
  if (!Array.isArray(rows)) fail(`${path}: not a JSON array`);
  const ours = new Map();
  for (const r of rows) {
    if (!r || typeof r.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(r.date))
      fail(`${path}: bad date in ${JSON.stringify(r)}`);
    if (!KINDS.has(r.kind)) fail(`${path}: bad kind in ${JSON.stringify(r)}`);
    if (typeof r.name !== 'string' || r.name === '') fail(`${path}: no name for ${r.date}`);
    if (ours.has(r.date)) fail(`${path}: ${r.date} twice`);
    ours.set(r.date, r);
  }
  for (const y of YEARS) {
    if (![...ours.keys()].some((d) => d.startsWith(`${y}-`))) fail(`${path}: nothing for ${y}`);
  }
  return ours;
}

function loadTheirs() {
  const hd = new Holidays('KZ');
  const theirs = new Map();
  for (const y of YEARS) {
    for (const h of hd.getHolidays(y)) {
      if (h.type !== 'public') continue;
      const date = h.date.slice(0, 10);
      if (!theirs.has(date)) theirs.set(date, h.name);
    }
  }
  return theirs;
}

if (process.argv.length !== 3) fail('usage: node tests/oracle/holidays.mjs CALENDAR.json');
const ours = loadOurs(process.argv[2]);
const theirs = loadTheirs();
const version = createRequire(import.meta.url)('date-holidays/package.json').version;
const off = (date) => ours.has(date) && ours.get(date).kind !== 'workday';

const problems = [];
const explained = [];

for (const [date, name] of theirs) {
  if (off(date)) continue;
  if (ALLOWED_MISSING[date]) explained.push(`${date} only in date-holidays (${name}): ${ALLOWED_MISSING[date]}`);
  else problems.push(`${date} is a public holiday in date-holidays (${name}) but not ours`);
}
for (const [date, r] of ours) {
  if (r.kind === 'workday') {
    if (theirs.has(date)) problems.push(`${date} is a working day of ours but a holiday in date-holidays`);
    continue;
  }
  if (isWeekend(date) || theirs.has(date)) continue;
  if (ALLOWED_EXTRA[date]) explained.push(`${date} only ours (${r.name}): ${ALLOWED_EXTRA[date]}`);
  else problems.push(`${date} is a ${r.kind} of ours (${r.name}) but not in date-holidays`);
}
for (const date of Object.keys(ALLOWED_MISSING)) {
  if (!theirs.has(date) || off(date)) problems.push(`ALLOWED_MISSING ${date} is no longer a difference: remove it`);
}
for (const date of Object.keys(ALLOWED_EXTRA)) {
  if (!off(date) || theirs.has(date)) problems.push(`ALLOWED_EXTRA ${date} is no longer a difference: remove it`);
}

console.log(`date-holidays ${version}, KZ ${YEARS[0]}-${YEARS[YEARS.length - 1]}: ` +
  `${theirs.size} public holidays there, ${ours.size} entries here`);
for (const line of explained) console.log(`explained: ${line}`);
for (const line of problems) console.log(`MISMATCH: ${line}`);
console.log(`${problems.length === 0 ? 'ok' : 'FAILED'}: ${explained.length} explained, ` +
  `${problems.length} unexplained`);
process.exit(problems.length === 0 ? 0 : 1);
