-- ref_check.sql: consistency checks of the reference data (002_reference).
-- Every query returns 0 rows when the data is consistent; a returned row names
-- the failed check and the offending value. Run against a migrated database:
--   sqlite3 /tmp/ref.db < src/store/migrations/001_init.sqlite.sql
--   sqlite3 /tmp/ref.db < src/store/migrations/002_reference.sqlite.sql
--   sqlite3 /tmp/ref.db < tests/unit/store/ref_check.sql     # no output = pass
-- SQLite dialect (GLOB, PRAGMA); the migration itself is portable SQL.

-- Foreign keys (checked after the fact; the migration runs inside a transaction).
PRAGMA foreign_key_check;

-- Regions: 20 units, 3 of them cities (Astana, Almaty, Shymkent).
SELECT 'regions: count is not 20', COUNT(*) FROM regions HAVING COUNT(*) <> 20;
SELECT 'regions: cities are not Astana/Almaty/Shymkent', group_concat(kato)
  FROM regions WHERE kind = 'city'
  HAVING group_concat(kato) IS NULL OR COUNT(*) <> 3
      OR SUM(kato IN ('710000000', '750000000', '790000000')) <> 3;
SELECT 'regions: KATO not 9 digits ending 0000000', kato FROM regions
 WHERE length(kato) <> 9 OR kato GLOB '*[^0-9]*' OR substr(kato, 3) <> '0000000';
SELECT 'regions: iso is not KZ-<KATO prefix>', kato, iso FROM regions
 WHERE iso IS NULL OR iso <> 'KZ-' || substr(kato, 1, 2);

-- Names: not empty, no stray spaces, kk/ru in Cyrillic (no Latin look-alikes).
SELECT 'names: empty or untrimmed', 'regions', kato FROM regions
 WHERE trim(name_kk) = '' OR trim(name_ru) = '' OR trim(name_en) = ''
    OR name_kk <> trim(name_kk) OR name_ru <> trim(name_ru) OR name_en <> trim(name_en);
SELECT 'names: empty or untrimmed', 'agencies', code FROM agencies
 WHERE trim(name_kk) = '' OR trim(name_ru) = '' OR trim(name_en) = ''
    OR name_kk <> trim(name_kk) OR name_ru <> trim(name_ru) OR name_en <> trim(name_en);
SELECT 'names: empty or untrimmed', 'topics', code FROM topics
 WHERE trim(name_kk) = '' OR trim(name_ru) = '' OR trim(name_en) = ''
    OR name_kk <> trim(name_kk) OR name_ru <> trim(name_ru) OR name_en <> trim(name_en);
SELECT 'names: double space', 'agencies', code FROM agencies
 WHERE instr(name_kk || name_ru || name_en, '  ') > 0;
SELECT 'names: Latin letters in a kk/ru name', 'regions', kato FROM regions
 WHERE name_kk GLOB '*[A-Za-z]*' OR name_ru GLOB '*[A-Za-z]*';
SELECT 'names: Latin letters in a kk/ru name', 'agencies', code FROM agencies
 WHERE name_kk GLOB '*[A-Za-z]*' OR name_ru GLOB '*[A-Za-z]*';
SELECT 'names: en name not ASCII', 'agencies', code FROM agencies
 WHERE name_en GLOB '*[^ -~]*';
SELECT 'names: kk name equals ru name', 'agencies', code FROM agencies
 WHERE name_kk = name_ru;

-- Names: unique per language within each table.
SELECT 'names: duplicate kk', 'regions', name_kk FROM regions GROUP BY name_kk HAVING COUNT(*) > 1;
SELECT 'names: duplicate ru', 'regions', name_ru FROM regions GROUP BY name_ru HAVING COUNT(*) > 1;
SELECT 'names: duplicate en', 'regions', name_en FROM regions GROUP BY name_en HAVING COUNT(*) > 1;
SELECT 'names: duplicate kk', 'agencies', name_kk FROM agencies GROUP BY name_kk HAVING COUNT(*) > 1;
SELECT 'names: duplicate ru', 'agencies', name_ru FROM agencies GROUP BY name_ru HAVING COUNT(*) > 1;
SELECT 'names: duplicate en', 'agencies', name_en FROM agencies GROUP BY name_en HAVING COUNT(*) > 1;
SELECT 'names: duplicate kk', 'topics', name_kk FROM topics GROUP BY name_kk HAVING COUNT(*) > 1;
SELECT 'names: duplicate ru', 'topics', name_ru FROM topics GROUP BY name_ru HAVING COUNT(*) > 1;
SELECT 'names: duplicate en', 'topics', name_en FROM topics GROUP BY name_en HAVING COUNT(*) > 1;

-- Agencies: code [a-z0-9.-]{2,64}; region and parent exist; no cycles.
SELECT 'agencies: bad code', code FROM agencies
 WHERE length(code) < 2 OR length(code) > 64 OR code GLOB '*[^a-z0-9.-]*';
SELECT 'agencies: region not in regions', code, region FROM agencies
 WHERE region IS NOT NULL AND region NOT IN (SELECT kato FROM regions);
SELECT 'agencies: parent missing or self', code, parent FROM agencies
 WHERE parent IS NOT NULL AND (parent = code OR parent NOT IN (SELECT code FROM agencies));
WITH RECURSIVE up(start, code, depth) AS (
    SELECT code, parent, 1 FROM agencies WHERE parent IS NOT NULL
    UNION ALL
    SELECT up.start, a.parent, up.depth + 1 FROM up JOIN agencies a ON a.code = up.code
     WHERE a.parent IS NOT NULL AND up.depth < 64)
SELECT DISTINCT 'agencies: parent cycle', start FROM up WHERE code = start OR depth >= 64;
SELECT 'agencies: inactive', code FROM agencies WHERE active <> 1;

-- Agencies: a central body has no region; a regional body's code starts with the
-- region's akimat slug; each region has exactly one akimat (parent NULL).
SELECT 'agencies: central body with a region', code FROM agencies
 WHERE instr(code, '.') = 0 AND region IS NOT NULL;
SELECT 'agencies: regional body without a region', code FROM agencies
 WHERE instr(code, '.') > 0 AND region IS NULL;
SELECT 'agencies: code prefix is not its region''s akimat slug', a.code FROM agencies a
 WHERE a.region IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM agencies k WHERE k.region = a.region AND k.code GLOB '*.akimat'
          AND substr(a.code, 1, length(k.code) - length('akimat'))
              = substr(k.code, 1, length(k.code) - length('akimat')));
SELECT 'regions: not exactly one akimat', r.kato, COUNT(a.code) FROM regions r
  LEFT JOIN agencies a ON a.region = r.kato AND a.code GLOB '*.akimat' AND a.parent IS NULL
 GROUP BY r.kato HAVING COUNT(a.code) <> 1;
SELECT 'agencies: akimat with a parent', code FROM agencies
 WHERE code GLOB '*.akimat' AND parent IS NOT NULL;
SELECT 'agencies: department parent in another region', a.code, a.parent FROM agencies a
  JOIN agencies p ON p.code = a.parent
 WHERE p.region IS NOT NULL AND p.region IS NOT a.region;
SELECT 'agencies: regional body not under its akimat or a central body', a.code FROM agencies a
  JOIN agencies p ON p.code = a.parent
 WHERE a.region IS NOT NULL AND NOT (p.code GLOB '*.akimat' OR p.region IS NULL);
SELECT 'regions: no police department under min-internal', r.kato FROM regions r
 WHERE NOT EXISTS (SELECT 1 FROM agencies a WHERE a.region = r.kato
                      AND a.code GLOB '*.police' AND a.parent = 'min-internal');

-- Topics: central agency exists and is central.
SELECT 'topics: central_agency missing or not central', t.code, t.central_agency FROM topics t
  LEFT JOIN agencies a ON a.code = t.central_agency
 WHERE a.code IS NULL OR a.region IS NOT NULL;

-- Routing rules: references exist; exactly one fallback per topic (UNIQUE does
-- not stop two NULL regions); the fallback is the topic's central body; a
-- regional rule points to a body of that region or a central one; a topic with
-- any regional rule has one for every region.
SELECT 'rules: topic missing', id, topic FROM routing_rules
 WHERE topic NOT IN (SELECT code FROM topics);
SELECT 'rules: agency missing', id, agency FROM routing_rules
 WHERE agency NOT IN (SELECT code FROM agencies);
SELECT 'rules: region missing', id, region FROM routing_rules
 WHERE region IS NOT NULL AND region NOT IN (SELECT kato FROM regions);
SELECT 'rules: topic without fallback', code FROM topics t
 WHERE NOT EXISTS (SELECT 1 FROM routing_rules r WHERE r.topic = t.code AND r.region IS NULL);
SELECT 'rules: more than one fallback', topic FROM routing_rules WHERE region IS NULL
 GROUP BY topic HAVING COUNT(*) > 1;
SELECT 'rules: duplicate topic x region', topic, region FROM routing_rules
 WHERE region IS NOT NULL GROUP BY topic, region HAVING COUNT(*) > 1;
SELECT 'rules: fallback is not the topic''s central agency', r.topic, r.agency
  FROM routing_rules r JOIN topics t ON t.code = r.topic
 WHERE r.region IS NULL AND r.agency IS NOT t.central_agency;
SELECT 'rules: agency in another region', r.topic, r.region, r.agency
  FROM routing_rules r JOIN agencies a ON a.code = r.agency
 WHERE r.region IS NOT NULL AND a.region IS NOT NULL AND a.region <> r.region;
SELECT 'rules: fallback to a regional body', r.topic, r.agency
  FROM routing_rules r JOIN agencies a ON a.code = r.agency
 WHERE r.region IS NULL AND a.region IS NOT NULL;
SELECT 'rules: regional topic missing a region', t.code, g.kato FROM topics t CROSS JOIN regions g
 WHERE EXISTS (SELECT 1 FROM routing_rules r WHERE r.topic = t.code AND r.region IS NOT NULL)
   AND NOT EXISTS (SELECT 1 FROM routing_rules r WHERE r.topic = t.code AND r.region = g.kato);
SELECT 'rules: corruption not routed centrally', topic, region, agency FROM routing_rules
 WHERE topic = 'corruption' AND (region IS NOT NULL OR agency <> 'anticorruption');
