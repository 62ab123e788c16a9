#!/bin/sh
# calibration-sql.sh NAME KIND TOTAL REF_DATE FILE - print the SQL statement
# that loads the calibration CSV FILE, byte for byte, as version 1 of table
# NAME (KIND margins or channels). src/store/migrations/005_calibration.*.sql
# hold its output for data/calibration/kz_margins.csv and kz_channels.csv;
# tests/unit/store/test_calibration.c checks that they still match the files.
# A CSV must not hold a backslash (the migration embedder reads it as C text).
set -eu
[ $# -eq 5 ] || { echo "usage: calibration-sql.sh NAME KIND TOTAL REF_DATE FILE" >&2; exit 2; }
if grep -q '\\' "$5"; then
    echo "calibration-sql.sh: $5 holds a backslash" >&2
    exit 1
fi
printf "INSERT INTO calibration_tables (name, kind, version, total, ref_date, body, loaded_at)\nVALUES ('%s', '%s', 1, %s, '%s', '" "$1" "$2" "$3" "$4"
sed "s/'/''/g" "$5"
printf "', NOW_SECONDS);\n"
