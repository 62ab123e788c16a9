-- 003_calendar: the working-day calendar of Kazakhstan (Asia/Almaty) that
-- deadlines are counted on (APPK RK Art. 63, 76). One row per exception to
-- the week (Monday to Friday work): a holiday, a day off moved onto a
-- weekday, or a weekend day made working. Administrators edit this table; the
-- service loads it into struct calendar (domain/calendar.h), which rejects a
-- kind outside the three below and names or sources over 200 bytes.
--
-- The rows for 2025-2027 are the C table calendar_kz_default in
-- src/domain/calendar.c, printed by `calendar_dump --sql`
-- (tests/oracle/calendar_dump.c); that file explains each source. Change both
-- together. Notes on the data:
--   2025: one move by order of the Minister of Labour (approved 21.11.2024):
--         the day off moved from Sunday 5 January to Friday 3 January.
--   2026: no ministerial move. The Constitution adopted on 15.03.2026 makes
--         15 March Constitution Day from 2027 (art. 94 p. 2), and the labour
--         ministry said 30 August is no longer a holiday from 2026: there is
--         no row for 30 or 31 August 2026, nor for 15-16 March 2026.
--   2027: no ministerial order known yet, the law's automatic rules only;
--         Kurban Ait on 16 May is an astronomical estimate (a Sunday).

CREATE TABLE IF NOT EXISTS calendar_days (
    day    TEXT PRIMARY KEY,             -- YYYY-MM-DD, an Almaty calendar day
    kind   TEXT NOT NULL CHECK (kind IN ('holiday', 'dayoff', 'workday')),
    name   TEXT NOT NULL,                -- shown to people, e.g. 'Наурыз мейрамы'
    source TEXT NOT NULL                 -- the law article, order or page it comes from
);

INSERT INTO calendar_days (day, kind, name, source) VALUES
    ('2025-01-01', 'holiday', 'Новый год', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-01-02', 'holiday', 'Новый год', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-01-03', 'dayoff', 'Выходной, перенесённый с воскресенья 5 января', 'Order of the Minister of Labour approved 21.11.2024 (Labour Code art. 85 p. 3)'),
    ('2025-01-05', 'workday', 'Рабочий день: выходной перенесён на 3 января', 'Order of the Minister of Labour approved 21.11.2024 (Labour Code art. 85 p. 3)'),
    ('2025-01-07', 'holiday', 'Православное Рождество', 'Labour Code art. 84 p. 5: day off, never moved'),
    ('2025-03-08', 'holiday', 'Международный женский день', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-03-10', 'dayoff', 'Выходной за 8 марта', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2025-03-21', 'holiday', 'Наурыз мейрамы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-03-22', 'holiday', 'Наурыз мейрамы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-03-23', 'holiday', 'Наурыз мейрамы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-03-24', 'dayoff', 'Выходной за 22 марта', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2025-03-25', 'dayoff', 'Выходной за 23 марта', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2025-05-01', 'holiday', 'Праздник единства народа Казахстана', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-05-07', 'holiday', 'День защитника Отечества', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-05-09', 'holiday', 'День Победы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-06-06', 'holiday', 'Курбан айт, первый день', 'Labour Code art. 84 p. 5: day off, never moved; date by DUMK'),
    ('2025-07-06', 'holiday', 'День столицы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-07-07', 'dayoff', 'Выходной за День столицы', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2025-08-30', 'holiday', 'День Конституции', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2025-09-01', 'dayoff', 'Выходной за День Конституции', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2025-10-25', 'holiday', 'День Республики', 'Law 267-II of 13.12.2001 On holidays, art. 2 (national holiday)'),
    ('2025-10-27', 'dayoff', 'Выходной за День Республики', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2025-12-16', 'holiday', 'День Независимости', 'Law 267-II of 13.12.2001 On holidays, art. 2 (national holiday)'),
    ('2026-01-01', 'holiday', 'Новый год', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2026-01-02', 'holiday', 'Новый год', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2026-01-07', 'holiday', 'Православное Рождество', 'Labour Code art. 84 p. 5: day off, never moved'),
    ('2026-03-08', 'holiday', 'Международный женский день', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2026-03-09', 'dayoff', 'Выходной за 8 марта', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2026-03-21', 'holiday', 'Наурыз мейрамы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2026-03-22', 'holiday', 'Наурыз мейрамы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2026-03-23', 'holiday', 'Наурыз мейрамы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2026-03-24', 'dayoff', 'Выходной за 21 марта', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2026-03-25', 'dayoff', 'Выходной за 22 марта', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2026-05-01', 'holiday', 'Праздник единства народа Казахстана', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2026-05-07', 'holiday', 'День защитника Отечества', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2026-05-09', 'holiday', 'День Победы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2026-05-11', 'dayoff', 'Выходной за День Победы', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2026-05-27', 'holiday', 'Курбан айт, первый день', 'Labour Code art. 84 p. 5: day off, never moved; date by DUMK'),
    ('2026-07-06', 'holiday', 'День столицы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2026-10-25', 'holiday', 'День Республики', 'Law 267-II of 13.12.2001 On holidays, art. 2 (national holiday)'),
    ('2026-10-26', 'dayoff', 'Выходной за День Республики', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2026-12-16', 'holiday', 'День Независимости', 'Law 267-II of 13.12.2001 On holidays, art. 2 (national holiday)'),
    ('2027-01-01', 'holiday', 'Новый год', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2027-01-02', 'holiday', 'Новый год', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2027-01-04', 'dayoff', 'Выходной за 2 января', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2027-01-07', 'holiday', 'Православное Рождество', 'Labour Code art. 84 p. 5: day off, never moved'),
    ('2027-03-08', 'holiday', 'Международный женский день', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2027-03-15', 'holiday', 'День Конституции', 'Constitution of 15.03.2026 art. 94 p. 2 (state holiday); Law 267-II art. 5'),
    ('2027-03-21', 'holiday', 'Наурыз мейрамы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2027-03-22', 'holiday', 'Наурыз мейрамы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2027-03-23', 'holiday', 'Наурыз мейрамы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2027-03-24', 'dayoff', 'Выходной за 21 марта', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2027-05-01', 'holiday', 'Праздник единства народа Казахстана', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2027-05-03', 'dayoff', 'Выходной за 1 мая', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2027-05-07', 'holiday', 'День защитника Отечества', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2027-05-09', 'holiday', 'День Победы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2027-05-10', 'dayoff', 'Выходной за День Победы', 'Law 267-II art. 5: holiday on a weekend, next working day is off'),
    ('2027-05-16', 'holiday', 'Курбан айт, первый день', 'Labour Code art. 84 p. 5: day off, never moved; date by DUMK (2027: astronomical estimate)'),
    ('2027-07-06', 'holiday', 'День столицы', 'Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)'),
    ('2027-10-25', 'holiday', 'День Республики', 'Law 267-II of 13.12.2001 On holidays, art. 2 (national holiday)'),
    ('2027-12-16', 'holiday', 'День Независимости', 'Law 267-II of 13.12.2001 On holidays, art. 2 (national holiday)')
ON CONFLICT (day) DO NOTHING;
