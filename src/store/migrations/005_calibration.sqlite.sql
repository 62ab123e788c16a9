-- 005_calibration (SQLite): what opinion measurement weights to and what it weighs.
--
-- calibration_tables: versioned calibration tables, each the CSV it was
-- loaded from, byte for byte ("margins": variable,category,population with
-- a source and ref_date on every row; "channels": channel,share the same).
-- `tyndau calibration load` validates a file (every variable sums to the
-- total within 0.1%, every number has a source and a reference date) and
-- adds it as the next version of its name; readers take the latest version
-- unless asked for another. The rows below are version 1 of the default
-- tables for Kazakhstan, data/calibration/*.csv, printed by
-- scripts/calibration-sql.sh (data/calibration/README.md says where each
-- number comes from and which could not be sourced).
--
-- opinion_stances: stance-labelled author records, the sample opinion is
-- measured on: one row per author, topic and labelled post (or per survey
-- respondent), with the categories it is weighted by. No text, no name: the
-- author is a salted hash. synthetic = 1 marks generated demo records.
-- Appeals are not here: they describe demand on agencies, not opinion.

CREATE TABLE calibration_tables (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,              -- [a-z0-9_]{1,64}, e.g. 'kz_margins'
    kind      TEXT NOT NULL CHECK (kind IN ('margins', 'channels')),
    version   INTEGER NOT NULL CHECK (version >= 1),
    total     REAL NOT NULL,              -- margins: the population; channels: 1
    ref_date  TEXT NOT NULL,              -- the latest reference date of its rows
    body      TEXT NOT NULL,              -- the CSV as loaded
    loaded_at INTEGER NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE opinion_stances (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,            -- channel: 'vk', 'ok', 'facebook', 'survey', ...
    author_hash TEXT NOT NULL,            -- salted hash of the author, never the name
    topic       TEXT NOT NULL,
    region      TEXT NOT NULL,            -- KATO code
    sex         TEXT NOT NULL,            -- a category of the margins table, e.g. 'f'
    age         TEXT NOT NULL,            -- e.g. '18-44'
    urban       TEXT NOT NULL,            -- 'urban' or 'rural'
    stance      INTEGER NOT NULL CHECK (stance IN (0, 1)),
    at          INTEGER NOT NULL,         -- when the post was made (Unix seconds)
    bot         REAL CHECK (bot IS NULL OR (bot >= 0 AND bot <= 1)),
    synthetic   INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1))
);
CREATE INDEX opinion_stances_topic_at ON opinion_stances (topic, at);

INSERT INTO calibration_tables (name, kind, version, total, ref_date, body, loaded_at)
VALUES ('kz_margins', 'margins', 1, 13568458, '2025-12-01', 'variable,category,population,status,ref_date,source
_total,_all,13568458,derived,2025-12-01,"all ages 20478879 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) x adult share 0.66256 = 1 - aged 0-17 6738017 (BNS table reported by sarbaz.kz, Nov 2023) / 19967964 (BNS, 1 Oct 2023)"
region,100000000,394885,derived,2025-12-01,"Abai: all ages 596000 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz; published rounded) x national adult share"
region,110000000,519427,UNSOURCED,2025-12-01,"Akmola: NO SOURCE FOUND; all ages 783971 is the remainder of the 1 Dec 2025 total after the 17 sourced regions (2431304 for Akmola, Aktobe and Jetisu together), split by rough sizes; x national adult share"
region,150000000,631202,UNSOURCED,2025-12-01,"Aktobe: NO SOURCE FOUND; all ages 952674 is the remainder of the 1 Dec 2025 total after the 17 sourced regions (2431304 for Akmola, Aktobe and Jetisu together), split by rough sizes; x national adult share"
region,190000000,1055225,derived,2025-12-01,"Almaty region: all ages 1592652 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) x national adult share"
region,230000000,465898,derived,2025-12-01,"Atyrau: all ages 703180 (BNS department for Atyrau region, population on 1 Jan 2024, as reported by mgorod.kz 2024-02-04, https://mgorod.kz/news/naselenie-atyrauskoj-oblasti-prevysilo-700-tysyach-chelovek; a 2024 figure used for 1 Dec 2025, growth since then not counted) x national adult share"
region,270000000,461075,derived,2025-12-01,"West Kazakhstan: all ages 695.9 thousand (BNS, population on 1 Aug 2025, as reported by mgorod.kz 2025-10-14, https://mgorod.kz/news/pochti-700-chelovek-prozhivaet-v-zko; rounded to 100; 1 Aug figure used for 1 Dec) x national adult share"
region,310000000,805600,derived,2025-12-01,"Jambyl: all ages 1215892 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) x national adult share"
region,330000000,460252,UNSOURCED,2025-12-01,"Jetisu: NO SOURCE FOUND; all ages 694659 is the remainder of the 1 Dec 2025 total after the 17 sourced regions (2431304 for Akmola, Aktobe and Jetisu together), split by rough sizes; x national adult share"
region,350000000,749644,derived,2025-12-01,"Karaganda: all ages 1131438 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) x national adult share"
region,390000000,544491,derived,2025-12-01,"Kostanay: all ages 821.8 thousand (BNS department for Kostanay region, population on 1 Dec 2025, as reported by Kazinform, https://www.inform.kz/ru/demografiya-i-migratsiya-kak-menyaetsya-naselenie-kostanayskoy-oblasti-4689de; published rounded to 100) x national adult share"
region,430000000,560458,derived,2025-12-01,"Kyzylorda: all ages 845.9 thousand (BNS department for Kyzylorda region, population on 1 Oct 2025, as reported by Kazinform 2025-11-14, https://kaz.inform.kz/news/kizilorda-oblisinda-koshp-kelgenderden-ketkender-sani-ek-ese-kop-30a682/; rounded to 100; 1 Oct figure used for 1 Dec) x national adult share"
region,470000000,542202,derived,2025-12-01,"Mangystau: all ages 818345 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by lada.kz 2026-01-05, https://www.lada.kz/aktau_news/society/147889-nazvana-chislennost-naseleniia-mangistau.html) x national adult share"
region,550000000,500168,derived,2025-12-01,"Pavlodar: all ages 754903 (BNS department for Pavlodar region, population on 1 Jan 2023, as reported by pavlodarnews.kz, https://pavlodarnews.kz/pavlodar-oblisinda-khali%D2%9B-sani-artti; a 2023 figure used for 1 Dec 2025, change since then not counted) x national adult share"
region,590000000,341040,derived,2025-12-01,"North Kazakhstan: all ages 514732 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) x national adult share"
region,610000000,1423287,derived,2025-12-01,"Turkistan: all ages 2148168 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) x national adult share"
region,620000000,145233,derived,2025-12-01,"Ulytau: all ages 219200 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) x national adult share"
region,630000000,478899,derived,2025-12-01,"East Kazakhstan: all ages 722802 (BNS, population on 1 Apr 2025, as reported by yk.kz 2025-05-02, https://yk.kz/news/obshhestvo/v-vko-sokrashhaetsya-chislennost-naseleniya-405518.html; 1 Apr figure used for 1 Dec) x national adult share"
region,710000000,1080395,derived,2025-12-01,"Astana: all ages 1630640 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) x national adult share"
region,750000000,1553708,derived,2025-12-01,"Almaty city: all ages 2345012 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) x national adult share"
region,790000000,855370,derived,2025-12-01,"Shymkent: all ages 1291011 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) x national adult share"
sex,m,6456716,derived,2025-12-01,"men all ages 10010123 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) minus boys 0-17 3464755 (BNS via sarbaz.kz, Nov 2023, rescaled to 2025), scaled to the adult total"
sex,f,7111742,derived,2025-12-01,"women all ages 10468756 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) minus girls 0-17 3273262 (BNS via sarbaz.kz, Nov 2023, rescaled to 2025), scaled to the adult total"
age,18-44,7405662,derived,2025-12-01,"aged 18-44: men 3640063 + women 3580840 (BNS via sarbaz.kz, Nov 2023), share of adults applied to the adult total"
age,45-59,3273439,derived,2025-12-01,"aged 45-59: men 1511832 + women 1679940 (BNS via sarbaz.kz, Nov 2023), share of adults applied to the adult total"
age,60+,2889357,derived,2025-12-01,"aged 60+: adults 13229947 (1 Oct 2023 total minus 0-17) minus 18-44 and 45-59; share of adults applied to the adult total"
urban,urban,8621918,derived,2025-12-01,"urban all ages 13013064 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) share applied to adults (assumes the same adult share in town and country)"
urban,rural,4946540,derived,2025-12-01,"rural all ages 7465815 (Bureau of National Statistics (stat.gov.kz), population on 1 Dec 2025, as reported by zakon.kz 2026-01-05 and tengrinews.kz) share applied to adults (assumes the same adult share in town and country)"
', CAST(strftime('%s','now') AS INTEGER));

INSERT INTO calibration_tables (name, kind, version, total, ref_date, body, loaded_at)
VALUES ('kz_channels', 'channels', 1, 1, '2017', 'channel,share,status,ref_date,source
vk,0.329,cited,2017,"adults registered on VKontakte; 2017 national survey as cited in tyndau''s DESIGN.md (Opinion measurement); the survey''s own publication was NOT located"
ok,0.185,cited,2017,"adults registered on Odnoklassniki; same 2017 national survey (publication NOT located)"
facebook,0.153,cited,2017,"adults registered on Facebook; same 2017 national survey (publication NOT located)"
none,0.42,cited,2017,"adults on no social network; same 2017 national survey (publication NOT located)"
any,0.58,derived,2017,"1 - none: adults on at least one network"
tv_main_news,0.60,cited,2017,"adults whose main news source is TV; same 2017 national survey (publication NOT located)"
internet_main_news,0.183,cited,2017,"adults whose main news source is the Internet; same 2017 national survey (publication NOT located)"
social_main_news,0.048,cited,2017,"adults whose main news source is social media; same 2017 national survey (publication NOT located)"
', CAST(strftime('%s','now') AS INTEGER));
