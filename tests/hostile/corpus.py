#!/usr/bin/env python3
"""The hostile corpus (issue 11): real files that break a reader quietly.

    corpus.py TOP OUTDIR

writes one drops directory per case, OUTDIR/CASE/drops/..., and
OUTDIR/cases, one line per case:

    CASE|STAGES|EXIT|READ|LOADED|REJECTED|MESSAGE|CHECK

STAGES is 'n' (fetch, unpack, normalise), 'e' (and match-ky-eindkomst) or
'f' (and match-ky-finans);
EXIT the exit code of `pipeline run`; READ/LOADED/REJECTED normalise's row
counts in OUT/DATE/status; MESSAGE text the log must hold ('' none);
CHECK 'FILE~TEXT' text that OUT/DATE/FILE must hold, or ''. Every case
also checks that no unmasked CPR number of its input reaches the log.

Inputs are built from the guide fixtures (fixtures/guide-eindkomst) and
small hand-made files; each case changes one thing.
"""
import gzip
import io
import os
import sys
import tarfile
import zipfile
import zlib

TOP, OUT = sys.argv[1], sys.argv[2]
GUIDE = os.path.join(TOP, "fixtures", "guide-eindkomst", "drops")
SKATDIR = os.path.join(TOP, "fixtures", "skat-afstemning", "drops", "eindkomst")

KYSUM_NAME = "ky/KY_SumEindkomst_29757895_20210205.csv"
PRISME_NAME = "erp/ERP_PRISME_Posteringer_20210205.csv"
OPUS_NAME = "erp/ERP_OPUS_Posteringer_20210205.csv"
SUMPR_NAME = "eindkomst/EIK_SumPrEnhed_29757895_202102.csv"
SUMOPL_NAME = "eindkomst/EIK_Sumoplysninger_29757895_202102.csv"
FINF_NAME = "ky/KY_DetaljerFinansFejlede_29757895_20210205.csv"


def guide(rel):
    with open(os.path.join(GUIDE, rel), "rb") as f:
        return f.read()


KYSUM = guide(KYSUM_NAME)
KYSUM_LINES = KYSUM.replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
SUM0014 = ";0014;1278002,64;1278002,64;0,00;0,00;0,00;OK"

PRISME_HEAD = "Oprettet af;Bilag;Dato;Finanskonto;Beskrivelse;Valuta;Beløb;Ydelsesmodtager"


def prisme_row(i, text="Udbetaling", amount="100,00", recipient="", dato="03-02-2021"):
    return "KY;B-%05d;%s;952599065;%s;DKK;%s;%s" % (i, dato, text, amount, recipient)


def prisme(rows, head=PRISME_HEAD, enc="utf-8", eol="\n"):
    return (eol.join([head] + rows) + eol).encode(enc)


OPUS_HEAD = "Bogf.dato\tBilagsnr.\tKontonr.\tTekst\tBeløb\tBruger\tCPR/CVR-nr.\tKladde"


def opus_row(i, text="ATP", amount="7.334,00"):
    return "03-02-2021\tAFR-%d\t8.52.59.113\t%s\t%s\tbmn\t\t" % (i, text, amount)


def opus(rows, head=True):
    lines = ["KMD Opus Økonomi", "Kontoudtog 01-02-2021 - 28-02-2021", ""]
    if head:
        lines.append(OPUS_HEAD)
    return ("\r\n".join(lines + rows) + "\r\n").encode("cp1252")


SUMPR_HEAD = "CPR-nr;Navn;Per-start;Per-slut;Feltnr 0014;Feltnr 0015"


def sumpr(rows, head=SUMPR_HEAD):
    return ("\n".join([head] + rows) + "\n").encode("utf-8")


FINF_HEAD = ("Finansbilag_Unikidentifikation;Bilagsreference;Periode;"
             "Er_Accepteret_Af_Bogfoering;DebetKreditIndikator;Posteringstekst;Beløb")


def kysum(lines, eol=b"\n", final=True):
    body = eol.join(lines)
    return body + (eol if final else b"")


cases = []


def case(name, files, exit=0, counts=(0, 0, 0), msg="", check="", stages="n"):
    assert "|" not in msg and "|" not in check
    d = os.path.join(OUT, name, "drops")
    for rel, data in files.items():
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        with open(p + ".done", "wb"):
            pass
    cases.append("%s|%s|%d|%d|%d|%d|%s|%s" % ((name, stages, exit) + tuple(counts) + (msg, check)))


def eindkomst_with(kydata):
    """The guide's eIndkomst night with KY's sum file replaced."""
    files = {rel: guide(rel) for rel in (
        "ky/KY_DetaljerEindkomst_29757895_20210205.csv",
        "ky/KY_DetaljerEindkomstFejlede_29757895_20210205.csv",
        SUMPR_NAME, SUMOPL_NAME)}
    files[KYSUM_NAME] = kydata
    return files


# -- line ends: physical lines, no row overwrites another (case 1) --------
GUIDE_ROWS = 31 + 8 + 10 + 1
for eol_name, eol in (("lf", b"\n"), ("crlf", b"\r\n"), ("cr", b"\r")):
    case("eol-" + eol_name, eindkomst_with(kysum(KYSUM_LINES, eol)),
         counts=(25 + GUIDE_ROWS, 25 + GUIDE_ROWS, 0),
         check="summary/ky-eindkomst.csv~" + SUM0014, stages="e")
mixed = b"".join(l + (b"\r", b"\n", b"\r\n")[i % 3] for i, l in enumerate(KYSUM_LINES))
case("eol-mixed", eindkomst_with(mixed), counts=(25 + GUIDE_ROWS, 25 + GUIDE_ROWS, 0),
     check="summary/ky-eindkomst.csv~" + SUM0014, stages="e")
case("eol-cr-no-final", {KYSUM_NAME: kysum(KYSUM_LINES, b"\r", final=False)}, counts=(25, 25, 0))
case("eol-cr-blank-lines", {KYSUM_NAME: b"\r\r".join(KYSUM_LINES) + b"\r\r\r"}, counts=(25, 25, 0))
bad = list(KYSUM_LINES)
bad[9] = bad[9].replace(b";0014;", b";00x4;", 1) if b";0014;" in bad[9] else bad[9] + b";extra"
case("eol-cr-bad-row-line", {KYSUM_NAME: kysum(bad, b"\r")}, counts=(25, 24, 1),
     msg="KY_SumEindkomst_29757895_20210205.csv:10:")
bad = list(KYSUM_LINES)
bad[20] = bad[20] + b";extra"
case("eol-mixed-bad-row-line", {KYSUM_NAME: b"".join(
    l + (b"\r\n", b"\r")[i % 2] for i, l in enumerate(bad))}, counts=(25, 24, 1),
     msg="KY_SumEindkomst_29757895_20210205.csv:21:")
case("eol-quoted-newline", {PRISME_NAME: prisme(
    [prisme_row(1, '"Udbetaling\r\nfor januar"'), prisme_row(2, "x", "1,00;"), prisme_row(3)])},
    counts=(3, 2, 1), msg="ERP_PRISME_Posteringer_20210205.csv:4:")

# -- CSV structure: a bad row alone is rejected at its line (cases 2, 3) --
case("cells-more", {PRISME_NAME: prisme(
    [prisme_row(1), prisme_row(2, "Mellemregning NemKonto; retur bank"), prisme_row(3)])},
    counts=(3, 2, 1), msg="ERP_PRISME_Posteringer_20210205.csv:3:")
case("cells-fewer", {PRISME_NAME: prisme(
    [prisme_row(1), "KY;B-2;03-02-2021;952599065;x", prisme_row(3)])},
    counts=(3, 2, 1), msg="ERP_PRISME_Posteringer_20210205.csv:3:")
case("quote-stray", {PRISME_NAME: prisme(
    [prisme_row(1), prisme_row(2, 'Afregning "rettet"'), prisme_row(3)])},
    counts=(3, 2, 1), msg="ERP_PRISME_Posteringer_20210205.csv:3:")
case("quote-after-close", {PRISME_NAME: prisme(
    [prisme_row(1), prisme_row(2, '"Afregning" rettet'), prisme_row(3)])},
    counts=(3, 2, 1), msg="ERP_PRISME_Posteringer_20210205.csv:3:")
rows = [prisme_row(i) for i in range(1, 32)]
rows[7] = prisme_row(8, '"Afregning rettet')
case("quote-unterminated", {PRISME_NAME: prisme(rows)}, counts=(31, 30, 1),
     msg="ERP_PRISME_Posteringer_20210205.csv:9:")
rows = [prisme_row(i) for i in range(1, 6)]
rows[4] = prisme_row(5, '"Afregning rettet')
case("quote-unterminated-last", {PRISME_NAME: prisme(rows)}, counts=(5, 4, 1),
     msg="ERP_PRISME_Posteringer_20210205.csv:6:")
case("quote-escaped", {PRISME_NAME: prisme(
    [prisme_row(1, '"Afregning ""rettet""; retur"'), prisme_row(2)])}, counts=(2, 2, 0))
case("nul-byte", {PRISME_NAME: prisme([prisme_row(1), prisme_row(2, "Ud\0betaling"),
                                        prisme_row(3)])}, counts=(3, 2, 1),
     msg="ERP_PRISME_Posteringer_20210205.csv:3:")
case("row-too-long", {PRISME_NAME: prisme([prisme_row(1), prisme_row(2, "x" * (1 << 20)),
                                            prisme_row(3)])}, counts=(3, 2, 1),
     msg="ERP_PRISME_Posteringer_20210205.csv:3:")
case("text-over-65535", {PRISME_NAME: prisme([prisme_row(1), prisme_row(2, "y" * 65536),
                                               prisme_row(3)])}, counts=(3, 2, 1),
     msg="ERP_PRISME_Posteringer_20210205.csv:3:")
case("text-65535", {PRISME_NAME: prisme([prisme_row(1, "y" * 65535)])}, counts=(1, 1, 0))
case("column-repeated", {PRISME_NAME: prisme(
    [prisme_row(1) + ";x", prisme_row(2) + ";y"], head=PRISME_HEAD + ";Beløb")},
    exit=65, counts=(3, 0, 3), msg="ERP_PRISME_Posteringer_20210205.csv:1:9: column 'Beløb' is in the header twice")
case("column-missing", {PRISME_NAME: prisme(
    ["KY;B-1;03-02-2021;952599065;x;DKK;1,00"],
    head="Oprettet af;Bilag;Dato;Konto;Beskrivelse;Valuta;Beløb")},
    exit=65, counts=(2, 0, 2), msg="missing column 'Finanskonto'")
case("empty-file", {PRISME_NAME: b""}, exit=65, counts=(0, 0, 0), msg="empty")
case("header-only", {PRISME_NAME: prisme([])}, counts=(0, 0, 0))
case("empty-cells-row", {PRISME_NAME: prisme([prisme_row(1), ";;;;;;;", prisme_row(2)])},
     counts=(3, 3, 0))
case("bom-utf8", {PRISME_NAME: b"\xef\xbb\xbf" + prisme([prisme_row(1, "Søren")])},
     counts=(1, 1, 0))
case("bom-utf16", {PRISME_NAME: b"\xff\xfe" + prisme([prisme_row(1)]).decode().encode("utf-16-le")},
     exit=65, counts=(0, 0, 0), msg="UTF-16")
case("opus-quote-text", {OPUS_NAME: opus(
    [opus_row(1, 'Afregning OP-bidrag 4. kvt "rettet"'), opus_row(2), opus_row(3, '"ATP')])},
    counts=(3, 3, 0))
case("opus-no-header", {OPUS_NAME: opus([opus_row(i) for i in range(1, 26)], head=False)},
     exit=65, counts=(25 + 2, 0, 25 + 2), msg="no header row")
case("opus-bad-amount", {OPUS_NAME: opus([opus_row(1), opus_row(2, amount="7.334,00--")])},
     counts=(2, 1, 1), msg="ERP_OPUS_Posteringer_20210205.csv:6:5:")
case("opus-trailing-minus", {OPUS_NAME: opus([opus_row(1, amount="8.540,00-")])},
     counts=(1, 1, 0))

# -- encodings: decided on the whole file (case 4) -----------------------
filler = [prisme_row(i, "Udbetaling januar %d" % i) for i in range(1, 1400)]
assert len(prisme(filler)) > 73893
case("cp1252-late", {PRISME_NAME: prisme(filler + [prisme_row(1400, "Søren Ærø")], enc="cp1252")},
     counts=(1400, 1400, 0))
case("utf8-late", {PRISME_NAME: prisme(filler + [prisme_row(1400, "Søren Ærø")])},
     counts=(1400, 1400, 0))
case("utf8-then-cp1252", {PRISME_NAME: prisme([prisme_row(1, "Søren")]) +
                          prisme(filler + [prisme_row(1400, "Ærø")], head="", enc="cp1252")[1:]},
     exit=65, counts=(1402, 0, 1402), msg="missing column")
case("cp1252-early", {PRISME_NAME: prisme([prisme_row(1, "Ærø")], enc="cp1252")},
     counts=(1, 1, 0))
case("cp1252-header", {PRISME_NAME: prisme([prisme_row(1)], enc="cp1252")}, counts=(1, 1, 0))

# -- amounts (case 8) ------------------------------------------------------
case("amount-huge-twice", {PRISME_NAME: prisme(
    [prisme_row(1, amount="90.000.000.000.000.000,00"),
     prisme_row(2, amount="90.000.000.000.000.000,00"), prisme_row(3)])},
    counts=(3, 1, 2), msg="ERP_PRISME_Posteringer_20210205.csv:2:7:")
case("amount-int64-overflow", {PRISME_NAME: prisme(
    [prisme_row(1, amount="99999999999999999999,00"), prisme_row(2)])},
    counts=(2, 1, 1), msg="ERP_PRISME_Posteringer_20210205.csv:2:7:")
case("amount-file-sum", {PRISME_NAME: prisme(
    [prisme_row(1, amount="60.000.000.000.000,00"), prisme_row(2, amount="60.000.000.000.000,00")])},
    exit=65, counts=(2, 0, 2), msg="add up to more than")
case("amount-negative-sum", {PRISME_NAME: prisme(
    [prisme_row(1, amount="60.000.000.000.000,00"), prisme_row(2, amount="-60.000.000.000.000,00")])},
    exit=65, counts=(2, 0, 2), msg="add up to more than")
case("amount-limit", {PRISME_NAME: prisme([prisme_row(1, amount="100.000.000.000.000,00")])},
     counts=(1, 1, 0))
case("amount-over-limit", {PRISME_NAME: prisme([prisme_row(1, amount="100.000.000.000.000,01")])},
     counts=(1, 0, 1), msg=":2:7:")
for n, (amount, loaded) in enumerate((
        ("1,5E+06", 0), ("1,234", 0), ("1.23,00", 0), ("1,2,3", 0), ("100,00-", 0),
        (" 100,00 ", 1), ("-0,00", 1), ("12a,00", 0), ("--5,00", 0), (",50", 0),
        ("1.000.000,00", 1), ("1000000,5", 1))):
    case("amount-%02d" % n, {PRISME_NAME: prisme([prisme_row(1, amount=amount)])},
         counts=(1, loaded, 1 - loaded), msg="" if loaded else ":2:7:")
sumopl = "I-SE-nr;P-SE-nr;CPR-nr;Per-start;Per-slut;Feltnr 0014\nFlere;29757895;Alle;2021.02;2021.02;%s\n"
case("sumopl-two-huge", {SUMOPL_NAME: (sumopl % "90.000.000.000.000.000,00").encode() +
                         b"Flere;29757895;Alle;2021.02;2021.02;90.000.000.000.000.000,00\n"},
     counts=(2, 0, 2), msg="EIK_Sumoplysninger_29757895_202102.csv:2:6:", stages="e")

# -- dates and months ------------------------------------------------------
for n, (dato, loaded) in enumerate((
        ("29-02-2021", 0), ("29-02-2020", 1), ("31-04-2021", 0), ("00-02-2021", 0),
        ("03-13-2021", 0), ("2021-02-03", 1), ("", 0), ("3-2-2021", 0))):
    case("date-%02d" % n, {PRISME_NAME: prisme([prisme_row(1, dato=dato)])},
         counts=(1, loaded, 1 - loaded), msg="" if loaded else ":2:3:")
months = [b"2021-02;29757895;1,00;;0014;;;;"]
months += [b"%04d-%02d;29757895;1,00;;0014;;;;" % (1990 + m // 12, m % 12 + 1) for m in range(300)]
# The matcher reads a lone KY file: its other reports are MANGLER, exit 66
# (README's status rule).
case("months-300", {KYSUM_NAME: kysum([KYSUM_LINES[0]] + months)}, exit=66,
     counts=(301, 301, 0), stages="e")
case("month-13", {KYSUM_NAME: kysum([KYSUM_LINES[0], b"2021-13;29757895;1,00;;0014;;;;"])},
     counts=(1, 0, 1), msg=":2:1:")

# -- identifiers: CPR, SE (cases 5, 6, 9) ---------------------------------
def sumpr_case(name, cpr, loaded, msg=""):
    case(name, {SUMPR_NAME: sumpr(["%s;Navn;2021.02;2021.02;1.000,00;100,00" % cpr])},
         counts=(1, loaded, 1 - loaded), msg=msg)


sumpr_case("cpr-9-digits", "101854321", 1)
sumpr_case("cpr-10-digits", "0101854321", 1)
sumpr_case("cpr-dash", "010185-4321", 1)
sumpr_case("cpr-not-mod11", "0101854322", 1)
sumpr_case("cpr-excel", "1.20391E+09", 0, "exponent")
sumpr_case("cpr-day-32", "320185-4321", 0, "not a real date")
sumpr_case("cpr-day-92", "920185-4321", 0, "not a real date")
# substitute numbers (erstatningspersonnumre, day + 60: case 6) are CPRs;
# their date part less 60 must still be a real date
sumpr_case("cpr-substitute", "780877-4210", 1)
sumpr_case("cpr-substitute-bare", "7808774210", 1)
sumpr_case("cpr-substitute-day-91", "910185-4321", 1)
sumpr_case("cpr-substitute-30-feb", "900285-4321", 0, "not a real date")
sumpr_case("cpr-substitute-29-feb-common", "890221-4321", 0, "not a real date")
sumpr_case("cpr-letters", "01018A4321", 0, ":2:1:")
sumpr_case("cpr-11-digits", "01018543210", 0, ":2:1:")
sumpr_case("cpr-8-digits", "10185432", 0, ":2:1:")
case("recipient-cpr-dash", {PRISME_NAME: prisme([prisme_row(1, recipient="010185-4321"),
                                                 prisme_row(2, recipient="12345678")])},
     counts=(2, 2, 0))
case("se-7-digits", {KYSUM_NAME: kysum([KYSUM_LINES[0], b"2021-02;2975789;1,00;;0014;;;;"])},
     counts=(1, 0, 1), msg=":2:2:")
case("se-letters", {KYSUM_NAME: kysum([KYSUM_LINES[0], b"2021-02;2975789X;1,00;;0014;;;;"])},
     counts=(1, 0, 1), msg=":2:2:")
head65 = SUMPR_HEAD.split(";")[:4] + ["Feltnr %04d" % (100 + i) for i in range(65)]
case("cpr-65-fields", {SUMPR_NAME: sumpr(["0101854321;Navn;2021.02;2021.02;" +
                                          ";".join("1,00" for _ in range(65))], head=";".join(head65))},
     exit=66, counts=(1, 1, 0), stages="e")	# a lone file: MANGLER, as months-300
case("cell-cpr-masked", {FINF_NAME: ("\n".join([FINF_HEAD,
                                                "abc;;01-2021;0101854321;D;x;1,00"]) + "\n").encode()},
     exit=65, counts=(1, 1, 0), msg="Er_Accepteret_Af_Bogfoering '010185-xxxx', neither", stages="f")
case("name-cpr-masked", {"ky/KY_Udbetaling_0101854321.csv": b"a;b\n1;2\n",
                         PRISME_NAME: prisme([prisme_row(1)])}, exit=65, counts=(1, 1, 0),
     msg="ky/KY_Udbetaling_010185-xxxx.csv: no 'input'")
case("text-cpr-masked", {PRISME_NAME: prisme([prisme_row(1, "til 010185-4321", amount="x")])},
     counts=(1, 0, 1), msg=":2:7:")

# -- SKAT's own afstemning files -------------------------------------------
def skat(rel):
    with open(os.path.join(SKATDIR, rel), "rb") as f:
        return f.read()


VIR = "eindkomst/29757895VIRSUM202102-202102"
PER = "eindkomst/29757895PERSUM202102-202102-%03d"
skatfiles = {VIR: skat(os.path.basename(VIR))}
for i in (1, 2, 3):
    skatfiles[PER % i] = skat(os.path.basename(PER % i))
case("skat-afstemning", skatfiles, counts=(11, 11, 0))
f = dict(skatfiles)
del f[PER % 2]
case("skat-persum-part-missing", f, exit=65, counts=(1 + 6, 1, 6), msg="part 2 of the set is missing (parts 1, 3 present)")
f = dict(skatfiles)
f[PER % 3] = f[PER % 3].replace(b"9999999;10;", b"9999999;11;")
case("skat-persum-short", f, exit=65, counts=(11, 1, 10), msg="11")
f = dict(skatfiles)
f[VIR] = f[VIR].split(b"9999999")[0]
case("skat-virsum-no-trailer", f, exit=65, counts=(11, 10, 1), msg="no trailer row")
f = dict(skatfiles)
f[VIR] = f[VIR] + f[VIR].split(b"\r\n")[1] + b"\r\n"
case("skat-virsum-after-trailer", f, exit=65, counts=(12, 10, 2), msg="VIRSUM202102-202102:4: a row after the trailer row (line 3)")
f = {PER % 1: skat(os.path.basename(PER % 3)).replace(b"9999999;10;", b"9999999;2;")}
case("skat-persum-single", f, counts=(2, 2, 0))

# -- archives (case 7) -------------------------------------------------------
def gz(data, mtime=0):
    return gzip.compress(data, mtime=mtime)


def gz_stored(data):
    """A gzip member with one stored (uncompressed) deflate block."""
    c = zlib.compressobj(0, zlib.DEFLATED, -15)
    body = c.compress(data) + c.flush()
    return (b"\x1f\x8b\x08\x00\0\0\0\0\x00\x03" + body +
            zlib.crc32(data).to_bytes(4, "little") + (len(data) & 0xffffffff).to_bytes(4, "little"))


def zipped(members, stored=False):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, (2021, 2, 5, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return b.getvalue()


def tarred(members, mode="w"):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode=mode) as t:
        for m in members:
            name, data = m[0], m[1]
            ti = tarfile.TarInfo(name)
            ti.mtime = 0
            if len(m) > 2:
                ti.type, ti.linkname = m[2], "target"
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return b.getvalue()


P = prisme([prisme_row(i) for i in range(1, 11)])
PB = os.path.basename(PRISME_NAME)
case("gz-ok", {PRISME_NAME + ".gz": gz(P)}, counts=(10, 10, 0))
case("gz-stored-ok", {PRISME_NAME + ".gz": gz_stored(P)}, counts=(10, 10, 0))
g = bytearray(gz_stored(P))
i = g.index(b"100,00")
g[i] = ord("9")
case("gz-digit-changed", {PRISME_NAME + ".gz": bytes(g)}, exit=65, msg="CRC-32 does not match")
g = bytearray(gz_stored(P))
g[-1] ^= 1
case("gz-length-changed", {PRISME_NAME + ".gz": bytes(g)}, exit=65, msg="ERP_PRISME_Posteringer_20210205.csv.gz")
case("gz-truncated", {PRISME_NAME + ".gz": gz(P)[:-12]}, exit=65,
     msg="ERP_PRISME_Posteringer_20210205.csv.gz")
case("gz-trailing-bytes", {PRISME_NAME + ".gz": gz(P) + b"garbage"}, exit=65,
     msg="ERP_PRISME_Posteringer_20210205.csv.gz")
case("gz-two-members", {PRISME_NAME + ".gz": gz(P[:200]) + gz(P[200:])}, counts=(10, 10, 0))
case("gz-not-gzip", {PRISME_NAME + ".gz": P}, exit=65, msg="not gzip-compressed")
case("zip-ok", {"erp/drop.zip": zipped([(PB, P)])}, counts=(10, 10, 0))
z = bytearray(zipped([(PB, P)], stored=True))
i = z.index(b"100,00")
z[i] = ord("9")
case("zip-digit-changed", {"erp/drop.zip": bytes(z)}, exit=65, msg="drop.zip")
case("zip-in-zip", {"erp/drop.zip": zipped([("inner.zip", zipped([(PB, P)]))])},
     counts=(10, 10, 0))
case("gz-in-tar", {"erp/drop.tar": tarred([(PB + ".gz", gz(P))])}, counts=(10, 10, 0))
deep = zipped([(PB, P)])
for k in range(4):
    deep = zipped([("level%d.zip" % k, deep)])
case("zip-too-deep", {"erp/drop.zip": deep}, exit=65, msg="drop.zip")
case("zip-same-name", {"erp/drop.zip": zipped([(PB, P), ("a/" + PB, P)])}, exit=65, msg="drop.zip")
case("zip-bomb", {"erp/drop.zip": zipped([(PB, P + b"\n" * (50 << 20))])}, exit=65, msg="drop.zip")
case("zip-not-zip", {"erp/drop.zip": b"PK\x03\x04 not really"}, exit=65, msg="drop.zip")
case("tar-dotdot", {"erp/drop.tar": tarred([("../" + PB, P)])}, exit=65, msg="drop.tar")
case("tar-absolute", {"erp/drop.tar": tarred([("/tmp/" + PB, P)])}, exit=65, msg="drop.tar")
case("tar-symlink", {"erp/drop.tar": tarred([(PB, b"", tarfile.SYMTYPE)])}, exit=65, msg="drop.tar")
case("tgz-ok", {"erp/drop.tar.gz": tarred([(PB, P)], "w:gz")}, counts=(10, 10, 0))

# -- file names and sizes ----------------------------------------------------
case("name-unknown", {"ky/KY_Ukendt_29757895_20210205.csv": b"a;b\n1;2\n"}, exit=65,
     msg="KY_Ukendt_29757895_20210205.csv: no 'input'")
case("name-bad-month", {"eindkomst/EIK_Sumoplysninger_29757895_202113.csv": b"a;b\n1;2\n"},
     exit=65, msg="_202113.csv: no 'input'")
case("rows-20000", {PRISME_NAME: prisme([prisme_row(i) for i in range(1, 20001)])},
     counts=(20000, 20000, 0))
case("rows-20000-one-bad", {PRISME_NAME: prisme([prisme_row(i) for i in range(1, 15000)] +
                                                [prisme_row(15000, amount="1,2,3")] +
                                                [prisme_row(i) for i in range(15001, 20001)])},
     counts=(20000, 19999, 1), msg="ERP_PRISME_Posteringer_20210205.csv:15001:7:")

with open(os.path.join(OUT, "cases"), "w") as f:
    f.write("\n".join(cases) + "\n")
