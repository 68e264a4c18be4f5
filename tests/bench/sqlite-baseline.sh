#!/bin/sh
# sqlite-baseline.sh DROPS DB OUT: the sqlite3 baseline of `make bench`.
# The sqlite3 shell imports every CSV of DROPS (a table per file, named
# by the file without SE and date) into DB, then computes in integer øre
# with SQL what the pipeline computes on the generated night 2021-08-31:
#   OUT/ky-eindkomst-summary  field;KY;SKAT for month 2021-08 (KY's 'Sum -
#       eIndkomst', SKAT's Sumoplysninger; fields 0013-0047);
#   OUT/ky-eindkomst-cpr      0014;CPR;KY-SKAT of every person whose
#       confirmed detail lines differ from SKAT's 'Sum pr. enhed';
#   OUT/nemkonto-net          recipient;debit;credit on 'Hensættelse
#       Bankudbetaling' (full CPR numbers masked DDMMYY-xxxx as the
#       pipeline's keys are), the net per recipient;
# amounts with a decimal comma, sorted bytewise. sqlite gets every
# advantage the store does not take: no journal, no fsync.
set -e
drops=$1 db=$2 out=$3
rm -f "$db"
mkdir -p "$out"
# ore COLUMN: the SQL of a Danish amount ('-1.234,56', '12', '') in øre
ore() {
	echo "(CASE WHEN instr($1, ',') > 0 THEN CAST(replace(replace($1, '.', ''), ',', '') AS INTEGER)
	       ELSE CAST(replace($1, '.', '') AS INTEGER) * 100 END)"
}
# kr EXPR: øre as the pipeline prints them: -1234,56
kr() {
	echo "((CASE WHEN ($1) < 0 THEN '-' ELSE '' END) || (abs($1) / 100) || ',' || printf('%02d', abs($1) % 100))"
}
{
	echo "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
	echo ".mode csv"
	echo ".separator ;"
	find "$drops" -name '*.csv' | LC_ALL=C sort | while read -r f; do
		t=$(basename "$f" .csv | sed -E 's/_[0-9]{8}(_[0-9]{6,8})?$//; s/[^A-Za-z0-9]/_/g')
		echo ".import '$f' $t"
	done
	echo ".mode list"
	echo ".separator ;"
	echo ".output $out/ky-eindkomst-summary"
	cat <<SQL
WITH ky(f, v) AS (
	SELECT INDKOMST_FELTNR, $(ore BeløbPositive) - $(ore BeløbNegative) FROM KY_SumEindkomst
		WHERE Dispositionsdato_YYYYMM = '2021-08' AND INDKOMST_FELTNR IN ('0013', '0014')
	UNION ALL SELECT '0015', $(ore A_SKAT) FROM KY_SumEindkomst WHERE Dispositionsdato_YYYYMM = '2021-08'
	UNION ALL SELECT '0016', $(ore AM_BIDRAG) FROM KY_SumEindkomst WHERE Dispositionsdato_YYYYMM = '2021-08'
	UNION ALL SELECT '0046', $(ore ATP_BIDRAG) FROM KY_SumEindkomst WHERE Dispositionsdato_YYYYMM = '2021-08'
	UNION ALL SELECT '0047', $(ore OP_BIDRAG) FROM KY_SumEindkomst WHERE Dispositionsdato_YYYYMM = '2021-08'),
skat(f, v) AS (
	SELECT '0014', $(ore '"Feltnr 0014"') FROM EIK_Sumoplysninger WHERE "Per-start" = '2021.08'
	UNION ALL SELECT '0015', $(ore '"Feltnr 0015"') FROM EIK_Sumoplysninger WHERE "Per-start" = '2021.08'
	UNION ALL SELECT '0046', $(ore '"Feltnr 0046"') FROM EIK_Sumoplysninger WHERE "Per-start" = '2021.08'
	UNION ALL SELECT '0047', $(ore '"Feltnr 0047"') FROM EIK_Sumoplysninger WHERE "Per-start" = '2021.08'),
fields(f) AS (VALUES ('0013'), ('0014'), ('0015'), ('0016'), ('0046'), ('0047'))
SELECT fields.f, $(kr "(SELECT coalesce(sum(v), 0) FROM ky WHERE ky.f = fields.f)"),
	$(kr "(SELECT coalesce(sum(v), 0) FROM skat WHERE skat.f = fields.f)")
FROM fields ORDER BY fields.f;
SQL
	echo ".output $out/ky-eindkomst-cpr"
	cat <<SQL
WITH ky(cpr, v) AS (
	SELECT replace(CPR, '-', ''), sum($(ore INDKOMST_BELOEB)) FROM KY_DetaljerEindkomst
	WHERE INDBERETNING_STATUS = 'BEKRAEFTET' AND INDKOMST_FELTNR = '0014'
		AND DISPOSITIONSDATO_YYYYMM = '2021-08'
	GROUP BY 1),
skat(cpr, v) AS (
	SELECT replace("CPR-nr", '-', ''), sum($(ore '"Feltnr 0014"')) FROM EIK_SumPrEnhed
	WHERE "Per-start" = '2021.08' GROUP BY 1)
SELECT '0014', ky.cpr, $(kr "ky.v - coalesce(skat.v, 0)") FROM ky LEFT JOIN skat USING (cpr)
	WHERE ky.v <> coalesce(skat.v, 0)
UNION ALL SELECT '0014', skat.cpr, $(kr "-skat.v") FROM skat
	WHERE skat.v <> 0 AND skat.cpr NOT IN (SELECT cpr FROM ky)
ORDER BY 1, 2, 3;
SQL
	echo ".output $out/nemkonto-net"
	cat <<SQL
SELECT CASE WHEN length(Ydelsesmodtager) = 10 THEN substr(Ydelsesmodtager, 1, 6) || '-xxxx'
	ELSE Ydelsesmodtager END,
	$(kr "sum(CASE WHEN $(ore Beløb) > 0 THEN $(ore Beløb) ELSE 0 END)"),
	$(kr "sum(CASE WHEN $(ore Beløb) < 0 THEN -$(ore Beløb) ELSE 0 END)"),
	$(kr "sum($(ore Beløb))")
FROM ERP_PRISME_Posteringer
WHERE Finanskonto = '9000000000-952599065-9900000-60-9-' AND substr(Dato, 4, 7) = '08-2021'
GROUP BY Ydelsesmodtager;
SQL
} | sqlite3 "$db" >/dev/null
for f in ky-eindkomst-summary ky-eindkomst-cpr nemkonto-net; do
	LC_ALL=C sort -o "$out/$f" "$out/$f"
done
