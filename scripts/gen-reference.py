#!/usr/bin/env python3
"""gen-reference.py - generate src/store/migrations/002_reference.sql.

Reads only the geokz region table (KATO codes) and writes plain INSERT
statements for regions, agencies, topics and routing_rules to stdout:

    python3 scripts/gen-reference.py > src/store/migrations/002_reference.sql
    python3 scripts/gen-reference.py [CSV] > ...   (default CSV path below)

The output is plain SQL valid for both SQLite and PostgreSQL: single quotes
(doubled inside strings), multi-row VALUES, no BEGIN/COMMIT (the migrator
wraps each file in a transaction), no ids (routing_rules.id is generated).

Region data: geokz by A. Rodionov, CC BY 4.0 (github.com/arodionoff/geokz,
commit 41c1a00454ec9e01bda031b5074920bd82de02ce; see web/data/CREDITS.md).
Everything else (slugs, official names, agencies, topics, rules) is the
table below in this file.
"""
import csv
import sys

CSV_PATH = '/work/shared/data/kz-admin-geokz/kaz_adm1_2024_kato.csv'

# ---------------------------------------------------------------------------
# Regions. Key: KATO from the CSV. The CSV gives short names (adjectives for
# ru, "X (city)" for cities); we store the official full names:
#   slug, name_kk, name_ru, name_en, genitive kk, genitive ru, en prefix
# Corrections to the CSV names (values of KATO/kind are taken unchanged):
#   - 590000000 kk: CSV has a Latin 'i' in "Солтүстiк"; Kazakh 'і' (U+0456) used.
#   - 100000000/330000000/620000000 ru: the official Russian names since the
#     decree of 3 May 2022 are "область Абай", "область Жетісу", "область Ұлытау"
#     (CSV: "Абайская", "Жетысуская", "Улытауская").
#   - 790000000 ru: official "Шымкент" (CSV: the Soviet-era "Чимкент").
#   - en: the spellings used by the akimats/gov.kz (Abai, Jambyl, Jetisu,
#     Karaganda, Turkistan) instead of CSV's Abay, Zhambyl, Zhetysu, Karagandy,
#     Turkestan.
# ISO 3166-2: the CSV column ISO_3166_2 holds the pre-2022 letter codes
# (KZ-ALA, KZ-YUZ...) and made-up ones for the three 2022 regions (KZ-ABY,
# KZ-ZHT, KZ-ULT). ISO 3166-2:KZ switched to two-digit codes in its
# 2022-11-29 newsletter (KZ-10 ... KZ-79), equal to the KATO prefix and to the
# CSV's ADM1_PCODE; we store those, as the schema's example 'KZ-75' expects.
# ---------------------------------------------------------------------------
REGIONS = {
    '100000000': ('abai', 'Абай облысы', 'область Абай', 'Abai Region',
                  'Абай облысының', 'области Абай', 'Abai Region'),
    '110000000': ('akmola', 'Ақмола облысы', 'Акмолинская область', 'Akmola Region',
                  'Ақмола облысының', 'Акмолинской области', 'Akmola Region'),
    '150000000': ('aktobe', 'Ақтөбе облысы', 'Актюбинская область', 'Aktobe Region',
                  'Ақтөбе облысының', 'Актюбинской области', 'Aktobe Region'),
    '190000000': ('almaty-region', 'Алматы облысы', 'Алматинская область', 'Almaty Region',
                  'Алматы облысының', 'Алматинской области', 'Almaty Region'),
    '230000000': ('atyrau', 'Атырау облысы', 'Атырауская область', 'Atyrau Region',
                  'Атырау облысының', 'Атырауской области', 'Atyrau Region'),
    '270000000': ('west-kazakhstan', 'Батыс Қазақстан облысы',
                  'Западно-Казахстанская область', 'West Kazakhstan Region',
                  'Батыс Қазақстан облысының', 'Западно-Казахстанской области',
                  'West Kazakhstan Region'),
    '310000000': ('jambyl', 'Жамбыл облысы', 'Жамбылская область', 'Jambyl Region',
                  'Жамбыл облысының', 'Жамбылской области', 'Jambyl Region'),
    '330000000': ('jetisu', 'Жетісу облысы', 'область Жетісу', 'Jetisu Region',
                  'Жетісу облысының', 'области Жетісу', 'Jetisu Region'),
    '350000000': ('karaganda', 'Қарағанды облысы', 'Карагандинская область',
                  'Karaganda Region', 'Қарағанды облысының', 'Карагандинской области',
                  'Karaganda Region'),
    '390000000': ('kostanay', 'Қостанай облысы', 'Костанайская область', 'Kostanay Region',
                  'Қостанай облысының', 'Костанайской области', 'Kostanay Region'),
    '430000000': ('kyzylorda', 'Қызылорда облысы', 'Кызылординская область',
                  'Kyzylorda Region', 'Қызылорда облысының', 'Кызылординской области',
                  'Kyzylorda Region'),
    '470000000': ('mangystau', 'Маңғыстау облысы', 'Мангистауская область',
                  'Mangystau Region', 'Маңғыстау облысының', 'Мангистауской области',
                  'Mangystau Region'),
    '550000000': ('pavlodar', 'Павлодар облысы', 'Павлодарская область', 'Pavlodar Region',
                  'Павлодар облысының', 'Павлодарской области', 'Pavlodar Region'),
    '590000000': ('north-kazakhstan', 'Солтүстік Қазақстан облысы',
                  'Северо-Казахстанская область', 'North Kazakhstan Region',
                  'Солтүстік Қазақстан облысының', 'Северо-Казахстанской области',
                  'North Kazakhstan Region'),
    '610000000': ('turkistan', 'Түркістан облысы', 'Туркестанская область',
                  'Turkistan Region', 'Түркістан облысының', 'Туркестанской области',
                  'Turkistan Region'),
    '620000000': ('ulytau', 'Ұлытау облысы', 'область Ұлытау', 'Ulytau Region',
                  'Ұлытау облысының', 'области Ұлытау', 'Ulytau Region'),
    '630000000': ('east-kazakhstan', 'Шығыс Қазақстан облысы',
                  'Восточно-Казахстанская область', 'East Kazakhstan Region',
                  'Шығыс Қазақстан облысының', 'Восточно-Казахстанской области',
                  'East Kazakhstan Region'),
    '710000000': ('astana', 'Астана', 'Астана', 'Astana',
                  'Астана қаласының', 'города Астаны', 'Astana City'),
    '750000000': ('almaty-city', 'Алматы', 'Алматы', 'Almaty',
                  'Алматы қаласының', 'города Алматы', 'Almaty City'),
    '790000000': ('shymkent', 'Шымкент', 'Шымкент', 'Shymkent',
                  'Шымкент қаласының', 'города Шымкента', 'Shymkent City'),
}

# ---------------------------------------------------------------------------
# Central bodies (region NULL, parent NULL): names as of late 2025.
# code, kk, ru, en
# ---------------------------------------------------------------------------
RK_KK = 'Қазақстан Республикасының'
RK_RU = 'Республики Казахстан'
RK_EN = 'of the Republic of Kazakhstan'
CENTRAL = [
    ('pm-office', 'Қазақстан Республикасы Премьер-Министрінің Кеңсесі',
     'Канцелярия Премьер-Министра ' + RK_RU, 'Office of the Prime Minister ' + RK_EN),
    ('min-transport', RK_KK + ' Көлік министрлігі',
     'Министерство транспорта ' + RK_RU, 'Ministry of Transport ' + RK_EN),
    ('min-industry', RK_KK + ' Өнеркәсіп және құрылыс министрлігі',
     'Министерство промышленности и строительства ' + RK_RU,
     'Ministry of Industry and Construction ' + RK_EN),
    ('min-health', RK_KK + ' Денсаулық сақтау министрлігі',
     'Министерство здравоохранения ' + RK_RU, 'Ministry of Healthcare ' + RK_EN),
    # "Министерство просвещения": gov.kz and primeminister.kz translate it as
    # "Ministry of Education" (Kazinform: "Ministry of Enlightenment").
    ('min-education', RK_KK + ' Оқу-ағарту министрлігі',
     'Министерство просвещения ' + RK_RU, 'Ministry of Education ' + RK_EN),
    ('min-science', RK_KK + ' Ғылым және жоғары білім министрлігі',
     'Министерство науки и высшего образования ' + RK_RU,
     'Ministry of Science and Higher Education ' + RK_EN),
    ('min-labour', RK_KK + ' Еңбек және халықты әлеуметтік қорғау министрлігі',
     'Министерство труда и социальной защиты населения ' + RK_RU,
     'Ministry of Labor and Social Protection of the Population ' + RK_EN),
    ('min-ecology', RK_KK + ' Экология және табиғи ресурстар министрлігі',
     'Министерство экологии и природных ресурсов ' + RK_RU,
     'Ministry of Ecology and Natural Resources ' + RK_EN),
    ('min-water', RK_KK + ' Су ресурстары және ирригация министрлігі',
     'Министерство водных ресурсов и ирригации ' + RK_RU,
     'Ministry of Water Resources and Irrigation ' + RK_EN),
    ('min-internal', RK_KK + ' Ішкі істер министрлігі',
     'Министерство внутренних дел ' + RK_RU, 'Ministry of Internal Affairs ' + RK_EN),
    ('min-agriculture', RK_KK + ' Ауыл шаруашылығы министрлігі',
     'Министерство сельского хозяйства ' + RK_RU, 'Ministry of Agriculture ' + RK_EN),
    ('min-economy', RK_KK + ' Ұлттық экономика министрлігі',
     'Министерство национальной экономики ' + RK_RU,
     'Ministry of National Economy ' + RK_EN),
    ('anticorruption',
     RK_KK + ' Сыбайлас жемқорлыққа қарсы іс-қимыл агенттігі'
     ' (Сыбайлас жемқорлыққа қарсы қызмет)',
     'Агентство ' + RK_RU + ' по противодействию коррупции (Антикоррупционная служба)',
     'Anti-Corruption Agency ' + RK_EN + ' (Anti-Corruption Service)'),
    ('min-emergency', RK_KK + ' Төтенше жағдайлар министрлігі',
     'Министерство по чрезвычайным ситуациям ' + RK_RU,
     'Ministry of Emergency Situations ' + RK_EN),
    # Created in September 2025 by reorganising the Ministry of Digital
    # Development, Innovations and Aerospace Industry (code kept generic).
    ('min-digital', RK_KK + ' Жасанды интеллект және цифрлық даму министрлігі',
     'Министерство искусственного интеллекта и цифрового развития ' + RK_RU,
     'Ministry of Artificial Intelligence and Digital Development ' + RK_EN),
    ('min-energy', RK_KK + ' Энергетика министрлігі',
     'Министерство энергетики ' + RK_RU, 'Ministry of Energy ' + RK_EN),
    ('min-justice', RK_KK + ' Әділет министрлігі',
     'Министерство юстиции ' + RK_RU, 'Ministry of Justice ' + RK_EN),
    ('min-culture', RK_KK + ' Мәдениет және ақпарат министрлігі',
     'Министерство культуры и информации ' + RK_RU,
     'Ministry of Culture and Information ' + RK_EN),
    ('min-tourism-sport', RK_KK + ' Туризм және спорт министрлігі',
     'Министерство туризма и спорта ' + RK_RU, 'Ministry of Tourism and Sports ' + RK_EN),
]

# ---------------------------------------------------------------------------
# Regional bodies: code suffix, kk (after the genitive), ru (before the
# genitive), en (after the prefix), parent ('' = the region's akimat), where
# ('all', 'oblast' or 'city'). Generic names: the exact official name of a
# department varies between akimats and is an administrator's edit.
# ---------------------------------------------------------------------------
DEPTS = [
    ('roads', 'жолаушылар көлігі және автомобиль жолдары басқармасы',
     'Управление пассажирского транспорта и автомобильных дорог',
     'Passenger Transport and Roads Department', '', 'all'),
    # Oblasts: one department for energy, heating, water and housing.
    ('housing', 'энергетика және тұрғын үй-коммуналдық шаруашылық басқармасы',
     'Управление энергетики и жилищно-коммунального хозяйства',
     'Energy, Housing and Utilities Department', '', 'oblast'),
    # Cities of republican significance: energy and water supply distinct
    # from housing (e.g. Almaty's energy and water supply department).
    ('housing', 'тұрғын үй-коммуналдық шаруашылық басқармасы',
     'Управление жилищно-коммунального хозяйства',
     'Housing and Utilities Department', '', 'city'),
    ('energy', 'энергетика және сумен жабдықтау басқармасы',
     'Управление энергетики и водоснабжения',
     'Energy and Water Supply Department', '', 'city'),
    ('health', 'денсаулық сақтау басқармасы', 'Управление здравоохранения',
     'Health Department', '', 'all'),
    ('education', 'білім басқармасы', 'Управление образования',
     'Education Department', '', 'all'),
    ('social', 'жұмыспен қамтуды үйлестіру және әлеуметтік бағдарламалар басқармасы',
     'Управление координации занятости и социальных программ',
     'Employment and Social Programmes Department', '', 'all'),
    ('land', 'жер қатынастары басқармасы', 'Управление земельных отношений',
     'Land Relations Department', '', 'all'),
    ('nature', 'табиғи ресурстар және табиғат пайдалануды реттеу басқармасы',
     'Управление природных ресурсов и регулирования природопользования',
     'Natural Resources and Environmental Management Department', '', 'all'),
    # Stray animals: local veterinary service (Law on responsible treatment
    # of animals, 2021).
    ('veterinary', 'ветеринария басқармасы', 'Управление ветеринарии',
     'Veterinary Department', '', 'all'),
    ('business', 'кәсіпкерлік және өнеркәсіп басқармасы',
     'Управление предпринимательства и промышленности',
     'Entrepreneurship and Industry Department', '', 'all'),
    ('construction', 'құрылыс, сәулет және қала құрылысы басқармасы',
     'Управление строительства, архитектуры и градостроительства',
     'Construction, Architecture and Urban Planning Department', '', 'all'),
    ('agriculture', 'ауыл шаруашылығы басқармасы', 'Управление сельского хозяйства',
     'Agriculture Department', '', 'oblast'),
    ('culture', 'мәдениет басқармасы', 'Управление культуры',
     'Culture Department', '', 'all'),
    ('sport', 'дене шынықтыру және спорт басқармасы',
     'Управление физической культуры и спорта',
     'Physical Culture and Sports Department', '', 'all'),
    # Territorial bodies of ministries, located in the region.
    ('police', 'Полиция департаменті', 'Департамент полиции',
     'Police Department', 'min-internal', 'all'),
    ('emergency', 'Төтенше жағдайлар департаменті',
     'Департамент по чрезвычайным ситуациям',
     'Department of Emergency Situations', 'min-emergency', 'all'),
]

# ---------------------------------------------------------------------------
# Topics: code, kk, ru, en, central agency (also the region-NULL fallback),
# regional handler: department suffix, '{city}|{oblast}' when it differs by
# kind, 'akimat', or None (handled centrally: fallback row only).
# ---------------------------------------------------------------------------
TOPICS = [
    ('roads', 'Автомобиль жолдары', 'Автомобильные дороги', 'Roads',
     'min-transport', 'roads'),
    ('housing', 'Тұрғын үй-коммуналдық шаруашылық', 'Жилищно-коммунальное хозяйство',
     'Housing and utilities', 'min-industry', 'housing'),
    ('water', 'Сумен және жылумен жабдықтау', 'Водоснабжение и теплоснабжение',
     'Water supply and heating', 'min-industry', 'energy|housing'),
    ('transport', 'Қоғамдық көлік', 'Общественный транспорт', 'Public transport',
     'min-transport', 'roads'),
    ('health', 'Денсаулық сақтау', 'Здравоохранение', 'Healthcare',
     'min-health', 'health'),
    ('education', 'Білім беру', 'Образование', 'Education',
     'min-education', 'education'),
    ('social', 'Әлеуметтік төлемдер мен зейнетақылар', 'Социальные выплаты и пенсии',
     'Social benefits and pensions', 'min-labour', 'social'),
    ('employment', 'Жұмыспен қамту', 'Занятость', 'Employment',
     'min-labour', 'social'),
    ('land', 'Жер қатынастары', 'Земельные отношения', 'Land relations',
     'min-agriculture', 'land'),
    ('ecology', 'Экология', 'Экология', 'Ecology and environment',
     'min-ecology', 'nature'),
    ('public-order', 'Қоғамдық тәртіп', 'Общественный порядок', 'Public order',
     'min-internal', 'police'),
    ('stray-animals', 'Иесіз жануарлар', 'Безнадзорные животные', 'Stray animals',
     'min-agriculture', 'veterinary'),
    ('business', 'Кәсіпкерлік', 'Предпринимательство', 'Business and entrepreneurship',
     'min-economy', 'business'),
    ('corruption', 'Сыбайлас жемқорлық', 'Коррупция', 'Corruption',
     'anticorruption', None),
    ('emergency', 'Төтенше жағдайлар', 'Чрезвычайные ситуации', 'Emergencies',
     'min-emergency', 'emergency'),
    ('digital', 'Онлайн мемлекеттік қызметтер (eGov)',
     'Государственные услуги онлайн (eGov)', 'Public services online (eGov)',
     'min-digital', None),
    ('agriculture', 'Ауыл шаруашылығы', 'Сельское хозяйство', 'Agriculture',
     'min-agriculture', 'akimat|agriculture'),
    ('culture-sport', 'Мәдениет және спорт', 'Культура и спорт', 'Culture and sport',
     'min-culture', 'culture'),
    ('construction', 'Құрылыс және сәулет', 'Строительство и архитектура',
     'Construction and architecture', 'min-industry', 'construction'),
    ('other', 'Басқа мәселелер', 'Другие вопросы', 'Other matters',
     'pm-office', 'akimat'),
]


def q(s):
    """An SQL string literal (standard quoting) or NULL."""
    if s is None:
        return 'NULL'
    return "'" + s.replace("'", "''") + "'"


def values(rows):
    return ',\n'.join('    (' + ', '.join(q(v) for v in r) + ')' for r in rows) + ';\n'


def load_regions(path):
    out = []
    with open(path, encoding='utf-8', newline='') as f:
        for row in csv.DictReader(f):
            kato = row['KATO']
            if len(kato) != 9 or not kato.isdigit() or kato not in REGIONS:
                sys.exit('gen-reference: unexpected KATO %r' % kato)
            pcode = row['ADM1_PCODE']
            if pcode != 'KZ' + kato[:2]:
                sys.exit('gen-reference: ADM1_PCODE %r does not match KATO %s' % (pcode, kato))
            kind = 'city' if row['ADM1_EN'].endswith('(city)') else 'region'
            slug, kk, ru, en, gkk, gru, pen = REGIONS[kato]
            csv_kk = row['ADM1_KK'].replace(' (қала)', '').replace('i', 'і')
            if not kk.startswith(csv_kk):
                sys.exit('gen-reference: kk name of %s changed in the CSV: %r' % (kato, csv_kk))
            out.append(dict(kato=kato, iso='KZ-' + kato[:2], kind=kind, slug=slug,
                            kk=kk, ru=ru, en=en, gkk=gkk, gru=gru, pen=pen))
    if len(out) != 20 or sum(r['kind'] == 'city' for r in out) != 3:
        sys.exit('gen-reference: expected 20 regions, 3 of them cities')
    return out


def main():
    regions = load_regions(sys.argv[1] if len(sys.argv) > 1 else CSV_PATH)
    w = sys.stdout.write
    w('-- 002_reference: regions, agencies, topics and routing rules (reference data).\n'
      '-- GENERATED by scripts/gen-reference.py from the geokz region table; edit the\n'
      '-- generator, not this file. Plain INSERTs valid for SQLite and PostgreSQL.\n'
      '--\n'
      '-- Regions (KATO codes, names): geokz, A. Rodionov, CC BY 4.0\n'
      '--   https://github.com/arodionoff/geokz (commit 41c1a00454ec9e01bda031b5074920bd82de02ce),\n'
      '--   https://creativecommons.org/licenses/by/4.0/ ; see web/data/CREDITS.md.\n'
      '--   Changes: full official names (ru "область Абай/Жетісу/Ұлытау", "Шымкент";\n'
      '--   kk Cyrillic "і" for a Latin "i"; en gov.kz spellings); iso = current\n'
      '--   ISO 3166-2:KZ two-digit code (KZ-<first two KATO digits>), not the CSV\'s\n'
      '--   pre-2022 letter codes. KATO and the city/region split are as in the CSV.\n'
      '-- Agencies, topics, rules: tyndau. Regional department names are generic;\n'
      '--   the exact name of a department differs between akimats.\n\n')

    w('INSERT INTO regions (kato, iso, name_kk, name_ru, name_en, kind) VALUES\n')
    w(values([(r['kato'], r['iso'], r['kk'], r['ru'], r['en'], r['kind']) for r in regions]))

    w('\n-- Central state bodies (region NULL).\n')
    w('INSERT INTO agencies (code, name_kk, name_ru, name_en, region, parent) VALUES\n')
    w(values([(c, kk, ru, en, None, None) for c, kk, ru, en in CENTRAL]))

    codes = {c for c, *_ in CENTRAL}
    w('\n-- Akimats of the regions and cities of republican significance.\n')
    w('INSERT INTO agencies (code, name_kk, name_ru, name_en, region, parent) VALUES\n')
    rows = []
    for r in regions:
        akimat_en = 'Akimat of ' + r['en']
        rows.append((r['slug'] + '.akimat', r['gkk'] + ' әкімдігі',
                     'Акимат ' + r['gru'], akimat_en, r['kato'], None))
        codes.add(r['slug'] + '.akimat')
    w(values(rows))

    for r in regions:
        w('\n-- %s: departments of the akimat, territorial police and emergency bodies.\n'
          % r['en'])
        w('INSERT INTO agencies (code, name_kk, name_ru, name_en, region, parent) VALUES\n')
        rows = []
        for suf, kk, ru, en, parent, where in DEPTS:
            if where == 'oblast' and r['kind'] == 'city':
                continue
            if where == 'city' and r['kind'] != 'city':
                continue
            code = r['slug'] + '.' + suf
            rows.append((code, r['gkk'] + ' ' + kk, ru + ' ' + r['gru'],
                         r['pen'] + ' ' + en, r['kato'], parent or r['slug'] + '.akimat'))
            codes.add(code)
        w(values(rows))

    w('\n-- Topics; central_agency is the national body for the topic.\n')
    w('INSERT INTO topics (code, name_kk, name_ru, name_en, central_agency) VALUES\n')
    w(values([t[:5] for t in TOPICS]))

    w('\n-- Fallback rules (region NULL): every topic goes to its central body.\n')
    w('INSERT INTO routing_rules (topic, region, agency) VALUES\n')
    w(values([(t[0], None, t[4]) for t in TOPICS]))

    for t in TOPICS:
        handler = t[5]
        if handler is None:
            continue
        w('\n-- %s: the region\'s handler.\n' % t[0])
        w('INSERT INTO routing_rules (topic, region, agency) VALUES\n')
        rows = []
        for r in regions:
            h = handler
            if '|' in h:
                h = h.split('|')[0 if r['kind'] == 'city' else 1]
            code = r['slug'] + '.' + h
            if code not in codes:
                sys.exit('gen-reference: no agency %s for topic %s' % (code, t[0]))
            rows.append((t[0], r['kato'], code))
        w(values(rows))


if __name__ == '__main__':
    main()
