#!/usr/bin/env python3
"""Generates a whole municipality night over all sources (seeded) and its
answer key, writing each row as it is made.

    gen-night.py --rows N --seed S DIR
    gen-night.py --rows N --seed S --in-memory DIR

The night is 2021-08-31 (SE 29757895, conf/pipeline.conf's file names).
About N input rows in all, made as the per-reconciliation generators make
them on one date, so the files two of them share (PRISME's posting dump:
NemKonto payments and paid invoices) are one file:
  - ky-eindkomst (tests/bench/gen-eindkomst.py): KY's detail, failed and
    sum reports, SKAT's Sumoplysninger and Sum pr. enhed, month 2021-08;
  - nemkonto (tests/gen-nemkonto.py): KY's payments and their sum, the
    account's postings, month 2021-08, the payment in transit on the 30th;
  - faktura (tests/gen-faktura.py): eInvoice decisions of 2021-08, the
    posting basis and the payments;
  - debitor (tests/gen-debitor.py): claims May-August, the restance
    account, the Råbalance of the night;
  - opkraevning (tests/gen-opkraevning.py's Gen, its dates moved to the
    night): EASY-A's fee lines, group fees and students, NS's debtors and
    charges of the school (SE 29594104, conf/pipeline.conf), due months
    2021-07 and 2021-09, about 3 % of the rows; the lines shuffled within
    their course group;
  - mellemkommunal refusion (tests/gen-refusion.py's first night and
    incoming charges, moved to 2021-08-31): the three evening schools'
    lists (NORD UTF-8 CSV, OEST Windows-1252 CSV, MUSIK XML) for the
    half-year 2021-1, a late list for 2019, a line of 2021-2 that waits,
    the CPR residence extract, charges received from 0147 and 0159 in the
    shipped layout; about 3 % of the rows. conf/refusion.conf has rates
    for 2025 and 2026 only: the night needs the lines DIR/conf/
    refusion-rates.conf holds added to it (t0850 does);
  - betalingsplaner (tests/gen-betalingsplaner.py's generate(), its dates
    43 months back): the night's OIOUBL invoices and credit notes (in
    .zip bundles of 250), orders of doctors' certificates and rent
    deductions in DIR/drops/faktura, and the history night 2021-07-31's
    plans file and invoices in DIR/history/2021-07-31/drops: the store
    must hold that night before this one (the cadence and deviation rules
    read the plans' earlier invoices). About two documents a 10000 rows
    (N = rows/10000, at least 40: see bp_invoices); every reason
    gen-betalingsplaner injects but
    ikke-oioubl (its two files make the night exit 65; t0450 has them).
    The robot EANs are the generator's: conf/betalingsplaner.conf's
    scope-ean line must be DIR/conf/betalingsplaner-scope.conf's. Held in
    memory as gen-betalingsplaner holds them (about 1900 documents at
    10^7 rows).
Each generator injects every kind of break its matcher knows (see its own
comment). The sources added after the first four draw from a random
generator of their own (seeded from the seed), so the first four's bytes
and answer keys do not change with them. Not generated yet: skat-afregning
and ky-yr read KY's eIndkomst reports too, and their generators' figures
would break ky-eindkomst's;
ky-finans's TOTAL compares KY's debits with every ERP debit of the month
(a night reads one posting dump), so its generator must learn the dump's
other postings first.

The default streams: the same random draws as those generators, in their
order, so the same bytes as --in-memory (which calls them and holds every
row; t0850 compares the two), but memory does not grow with the rows:
  - the "already drawn" sets (CPR numbers, invoice amounts, full-CPR
    NemKonto recipients) are bitmaps over their whole range;
  - where a generator draws a later file's values after all its rows
    (faktura's payment days and CPR/CVR columns, debitor's posting days),
    a first pass draws the rows without writing to learn the random state
    where the later draws begin, and the second pass runs one generator
    per state side by side;
  - NemKonto's postings are shuffled (random.shuffle over all of them):
    they go to an unlinked temporary file of fixed-size records, the
    shuffle permutes their indices (4 bytes a posting, the one part that
    grows: 6 MB at 10^7 rows) and each is read back in its place;
  - debitor's restance postings are sorted: sorted runs spilled to an
    unlinked temporary file and merged;
  - opkraevning and refusion write each course group or list line as it
    is made (the refusion CPR numbers drawn are a bitmap; opkraevning's,
    a set of the students' numbers, about 3 % of the rows, and its course
    groups are held).
The sources added later have no per-recon generator at scale: --in-memory
writes them with the streamed writers.
Temporary files go in DIR.

Writes DIR/drops/ (the drops directory of the night) and DIR/expected/
RECON.txt: the exceptions RECON must report, sorted bytewise, in the
columns of exceptions/RECON.csv the per-recon generators give ('reason'
is the word before the ':', amounts with a decimal comma):
  nemkonto, faktura, debitor, opkraevning, mellemkommunal-refusion,
  mellemkommunal-refusion-ind, betalingsplaner
                              reason;key;amount
  ky-eindkomst                reason;key;cpr;amount
  charges (the refund charges the night issues, charges/charges.csv)
                              kommune;periode;lines;amount
  betalingsplaner-postings (the invoices auto-posted, postings/
  betalingsplaner.csv)        plan;cpr;amount
and DIR/conf/ (above), DIR/history/ (above).
Prints the number of input rows per source.
"""
import argparse
import array
import calendar
import datetime
import heapq
import io
import importlib.util
import mmap
import os
import random
import shutil
import struct
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, TESTS)
from genlib import kr  # noqa: E402

NIGHT, MONTH, DATE = "2021-08-31", "2021-08", "20210831"
SE = "29757895"
BUF = 1 << 20


def money(ore):
    """1.234,56 (the generators' 'money')."""
    return kr(ore)


def plain(ore):
    """1234,56 (the generators' 'plain' and gen-eindkomst's 'kr')."""
    return kr(ore, dots=False)


class Bits:
    """A set of the integers 0..N-1 as a bitmap (N/8 bytes, zero pages
    untouched until a number near them is added)."""

    def __init__(self, n):
        self.m = mmap.mmap(-1, max(1, (n + 7) // 8))

    def add(self, k):
        """True if K was not in the set (and is now)."""
        m, b, bit = self.m, k >> 3, 1 << (k & 7)
        v = m[b]
        if v & bit:
            return False
        m[b] = v | bit
        return True

    def __iter__(self):
        """The numbers in the set, ascending."""
        m, step = self.m, 1 << 16
        for start in range(0, len(m), step):
            block = m[start:start + step]
            if not block.strip(b"\0"):
                continue
            for j, v in enumerate(block):
                if v:
                    base = (start + j) << 3
                    for bit in range(8):
                        if v >> bit & 1:
                            yield base + bit


class Sorter:
    """Sorts tuples of integers (struct format FMT) in bounded memory:
    runs of RUN tuples sorted in memory, spilled to an unlinked temporary
    file in TMPDIR, merged. The order is sorted()'s."""

    def __init__(self, fmt, tmpdir, run=50000):
        self.st, self.tmpdir, self.run = struct.Struct(fmt), tmpdir, run
        self.buf, self.runs = [], []

    def add(self, t):
        self.buf.append(t)
        if len(self.buf) >= self.run:
            self._spill()

    def _spill(self):
        self.buf.sort()
        f = tempfile.TemporaryFile(dir=self.tmpdir)
        pack = self.st.pack
        for t in self.buf:
            f.write(pack(*t))
        f.seek(0)
        self.runs.append(f)
        self.buf = []

    def _read(self, f):
        while True:
            block = f.read(self.st.size * 8192)
            if not block:
                f.close()
                return
            yield from self.st.iter_unpack(block)

    def __iter__(self):
        if not self.runs:
            self.buf.sort()
            return iter(self.buf)
        if self.buf:
            self._spill()
        return heapq.merge(*(self._read(f) for f in self.runs))


class Drops:
    """The night's files being written: one open file per name (a name two
    recons write is one file, its header the same), rows counted per
    recon."""

    def __init__(self, top):
        self.top, self.files, self.count, self.footers = top, {}, {}, {}

    def open(self, recon, name, header, enc="utf-8", footer=None):
        """A function that writes one line (no newline) to NAME for RECON;
        FOOTER, if given, is the file's last line."""
        if name in self.files:
            fh, h, e = self.files[name]
            if h != header or e != enc:
                sys.exit("gen-night: %s: %s writes another header" % (name, recon))
        else:
            path = self.top + "/" + name
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fh = open(path, "w", encoding=enc, newline="", buffering=BUF)
            fh.write(header + "\n")
            self.files[name] = (fh, header, enc)
            if footer is not None:
                self.footers[name] = footer
        count = self.count.setdefault(recon, [0])
        write = fh.write

        def put(line):
            write(line + "\n")
            count[0] += 1
        return put

    def close(self):
        for name in sorted(self.files):
            if name in self.footers:
                self.files[name][0].write(self.footers[name] + "\n")
            self.files[name][0].close()
            open(self.top + "/" + name + ".done", "w").close()


class Rnd(random.Random):
    """random.Random with a shorter randint: the same draw (randrange's
    own path for a step of 1, CPython 3.2 on) without randrange's argument
    checks, a third of the generator's time."""

    def randint(self, a, b):
        return a + self._randbelow(b - a + 1)


def at(state):
    """A generator in STATE (Random.getstate())."""
    r = Rnd()
    r.setstate(state)
    return r


# ky-eindkomst: tests/bench/gen-eindkomst.py's night(), row by row.

def eindkomst(rng, drops, persons, breaks, month, date):
    """Writes the files and returns [(CPR DDMMYY-SSSS, SKAT minus KY)]."""
    R = "ky-eindkomst"
    ym, per = month.replace("-", ""), month.replace("-", ".")
    used = Bits(28 * 12 * 60 * 10000)
    tot = {"0013": [0, 0], "0014": [0, 0], "0015": [0, 0], "0046": [0, 0], "0047": [0, 0]}
    broken = set(rng.sample(range(persons), breaks))
    expected = []
    detail = drops.open(R, "ky/KY_DetaljerEindkomst_%s_%s.csv" % (SE, date), ";".join(
        ["OprettetTidspunkt", "INDBERETTES_FOR_SE", "CPR", "INDKOMSTTYPE", "INDTÆGTSART",
         "INDKOMST_BELOEB", "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT", "ATP_BIDRAG", "OP_BIDRAG",
         "DISPOSITIONSDATO_YYYYMM", "YR_YDELSESKODE", "YR_YDELSESPERIODE_STARTDATO",
         "YR_YDELSESPERIODE_SLUTDATO", "INDBERETNING_STATUS"]))
    failed = drops.open(R, "ky/KY_DetaljerEindkomstFejlede_%s_%s.csv" % (SE, date), ";".join(
        ["INDBERETTES_FOR_SE", "CPR", "INDKOMST_BELOEB", "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT",
         "ATP_BIDRAG", "OP_BIDRAG", "DISPOSITIONSDATO_YYYYMM", "Fejltekst"]))
    person = drops.open(R, "eindkomst/EIK_SumPrEnhed_%s_%s.csv" % (SE, ym), ";".join(
        ["CPR-nr", "Navn", "Per-start", "Per-slut", "Feltnr 0013", "Feltnr 0014", "Feltnr 0015",
         "Feltnr 0046", "Feltnr 0047"]))
    at0 = month + "-01 18.01.10.100;" + SE + ";"
    randint = rng.randint
    for i in range(persons):
        while True:     # gen-eindkomst's cpr(): a new one
            d, m, y, s = randint(1, 28), randint(1, 12), randint(40, 99), randint(0, 9999)
            if used.add((((d - 1) * 12 + m - 1) * 60 + y - 40) * 10000 + s):
                c = "%02d%02d%02d-%04d" % (d, m, y, s)
                break
        inc, atp, op = randint(500000, 5000000), randint(0, 99000), randint(0, 99000)
        skat = inc * 37 // 100
        detail("%s%s;06;0041;%s;0014;;;%s;%s;%s;;;;BEKRAEFTET" % (at0, c, plain(inc), plain(atp),
                                                                 plain(op), month))
        detail("%s%s;06;0041;;0015;0;%s;;;%s;;;;BEKRAEFTET" % (at0, c, plain(skat), month))
        for k, v in (("0014", inc), ("0015", skat), ("0046", atp), ("0047", op)):
            tot[k][0] += v
            tot[k][1] += v
        skat_inc = inc
        if i in broken:
            skat_inc = inc + rng.choice([-1, 1]) * randint(1, 100000)
            tot["0014"][1] += skat_inc - inc
            expected.append((c, skat_inc - inc))
        if i % 50 == 7:
            rej = randint(10000, 900000)
            detail("%s%s;06;0041;%s;0013;;;;;%s;;;;AFVIST" % (at0, c, plain(rej), month))
            failed("%s;%s;%s;0013;;;;;%s;afvist" % (SE, c, plain(rej), month))
            tot["0013"][0] += rej
        person("%s;Person %d;%s;%s;0,00;%s;%s;%s;%s" % (c, i, per, per, plain(skat_inc),
                                                      plain(skat), plain(atp), plain(op)))
    put = drops.open(R, "ky/KY_SumEindkomst_%s_%s.csv" % (SE, date), ";".join(
        ["Dispositionsdato_YYYYMM", "INDBERETTES_FOR_SE", "BeløbPositive", "BeløbNegative",
         "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT", "ATP_BIDRAG", "OP_BIDRAG"]))
    put(";".join([month, SE, plain(tot["0013"][0]), "0,00", "0013", "", "", "", ""]))
    put(";".join([month, SE, plain(tot["0014"][0]), "0,00", "0014", "", plain(tot["0015"][0]),
                  plain(tot["0046"][0]), plain(tot["0047"][0])]))
    put = drops.open(R, "eindkomst/EIK_Sumoplysninger_%s_%s.csv" % (SE, ym), ";".join(
        ["I-SE-nr", "P-SE-nr", "CPR-nr", "Per-start", "Per-slut", "Feltnr 0014", "Feltnr 0015",
         "Feltnr 0046", "Feltnr 0047"]))
    put(";".join(["Flere", SE, "Alle", per, per, plain(tot["0014"][1]), plain(tot["0015"][1]),
                  plain(tot["0046"][1]), plain(tot["0047"][1])]))
    return expected


# nemkonto: tests/gen-nemkonto.py's night(), row by row.

NK_ACCOUNT = "9000000000-952599065-9900000-60-9-"
NK_TEXT = ["Mellemregning NemKonto", "Retur ingen nem-konto", "Udlignet Nem-konto"]
NK_PREFIX = ["KY", "OMP"]
# a posting: bilag number, day, amount (øre), recipient (a full CPR as a
# number, or -1 - its index among the DDMM(YY) ones), prefix, text
NK_POSTING = struct.Struct("<ibqqbb")


def nemkonto(rnd, drops, size, month, transit_day, date, tmpdir):
    """Writes the files and returns the breaks [(reason, key, amount)]."""
    R = "nemkonto"
    days = set()
    while len(days) < min(size, 33600):
        days.add((rnd.randint(1, 28), rnd.randint(1, 12), rnd.randint(0, 99) if size > 300 else -1))
    short = sorted(("%02d%02d" % d[:2]) + ("%02d" % d[2] if d[2] >= 0 else "") for d in days)
    del days
    # full CPR numbers DDMMYYSSSS, days 29-30, as (DD-29)*13*10^6 + MM*10^6 + YYSSSS
    full, nfull = Bits(2 * 13 * 10**6), 0
    months = [1] + list(range(3, 13))
    while nfull < size - len(short):
        d, m = rnd.randint(29, 30), rnd.choice(months)
        if full.add((d - 29) * 13000000 + m * 1000000 + rnd.randint(0, 99) * 10000 + rnd.randint(0, 9999)):
            nfull += 1

    def recipients():
        for j, rec in enumerate(short):
            yield -1 - j, rec
        if nfull:
            for k in full:
                v = (29 + k // 13000000) * 100000000 + k % 13000000
                yield v, "%010d" % v

    postings = tempfile.TemporaryFile(dir=tmpdir, buffering=BUF)
    pack, npost = NK_POSTING.pack, [0]
    ky = drops.open(R, "ky/KY_DetaljerUdbetalinger_29757895_%s.csv" % date,
                    "Udbetaling_Unikidentifikation;CPR;Dispositionsdato;Beløb;Status;"
                    "Straksudbetaling;Bilagsreference")
    exp, bilag, npay, total = [], [17000], [0], [0]

    def payment(rec, ore, day, b):
        n = npay[0]
        if len(rec) == 10:
            cpr = rec[:6] + "-" + rec[6:]
        else:
            cpr = rec[:4] + (rec[4:] or "85") + "-%04d" % (n % 10000)
        ky("u-%06d;%s;%s-%02d;%s;GENNEMFOERT;N;%s" % (n, cpr, month, day, money(ore), b))
        npay[0] += 1
        total[0] += ore

    def pay(code, rec, ore, day):
        bilag[0] += 1
        postings.write(pack(bilag[0], day, -ore, code, 0, 0))
        npost[0] += 1
        payment(rec, ore, day, "KY-%09d" % bilag[0])

    def debit(code, ore, day, prefix=0, text=0):
        bilag[0] += 1
        postings.write(pack(bilag[0], day, ore, code, prefix, text))
        npost[0] += 1

    def amount():
        return rnd.randint(100, 2000000)

    breaks = ["lost-debit", "missing", "retur", "omp", "stray", "transit"]
    for i, (code, rec) in enumerate(recipients()):
        day = rnd.randint(1, 10)
        kind = breaks[i] if i < len(breaks) else rnd.choice(["1:1", "N:1", "1:N", "multi"])
        if kind in ("1:1", "missing", "transit"):
            a = amount()
            d = transit_day if kind == "transit" else day
            pay(code, rec, a, d)
            if kind != "transit":
                debit(code, a, d)
            if kind == "missing":
                m = amount()
                payment(rec, m, day, "KY-999999999")
                exp.append(("mangler-paa-konto", rec, plain(m)))
        elif kind in ("N:1", "lost-debit"):
            parts = [amount() for _ in range(rnd.randint(2, 4))]
            for a in parts:
                pay(code, rec, a, day)
            if kind == "N:1":
                debit(code, sum(parts), day + rnd.randint(0, 2))
            else:
                exp += [("aaben-post", rec, plain(-a)) for a in parts]
        elif kind == "1:N":
            a, b = amount(), amount()
            pay(code, rec, a + b, day)
            debit(code, a, day)
            debit(code, b, day + 1)
        elif kind == "multi":   # half the time the same amount twice
            same = amount() if rnd.random() < 0.5 else None
            for _ in range(2):
                a = same or amount()
                pay(code, rec, a, day)
                debit(code, a, day + 1)
                day += 2
        elif kind == "retur":
            a = amount()
            pay(code, rec, a, day)
            debit(code, a, day + 3, 1, 1)
            exp.append(("retur", rec, plain(a)))
        elif kind == "omp":
            a = amount()
            pay(code, rec, a, day)
            debit(code, a, day + 1, 1, 2)
            exp.append(("ompostering", rec, plain(a)))
        elif kind == "stray":
            a = amount()
            debit(code, a, day)
            exp.append(("aaben-post", rec, plain(a)))
    # the shuffle of all postings, on their indices: the same swaps
    order = array.array("I", range(npost[0]))
    rnd.shuffle(order)
    postings.flush()
    fd, size_ = postings.fileno(), NK_POSTING.size
    unpack = NK_POSTING.unpack
    yyyy, mm = month.split("-")
    erp = drops.open(R, "erp/ERP_PRISME_Posteringer_%s.csv" % date,
                     "Oprettet af;Bilag;Dato;Finanskonto;Beskrivelse;Valuta;Beløb;Ydelsesmodtager")
    tail = "-%s-%s;%s;" % (mm, yyyy, NK_ACCOUNT)
    for k in order:
        b, d, a, code, prefix, text = unpack(os.pread(fd, size_, k * size_))
        rec = short[-1 - code] if code < 0 else "%010d" % code
        erp("DMPMP;%s-%09d;%02d%s%s;DKK;%s;%s" % (NK_PREFIX[prefix], b, d, tail, NK_TEXT[text],
                                                  money(a), rec))
    postings.close()
    put = drops.open(R, "ky/KY_SumUdbetalinger_29757895_%s.csv" % date,
                     "Dispositionsdato_YYYYMM;Status;Straksudbetaling;Beløb")
    put("%s;GENNEMFOERT;N;%s" % (month, money(total[0] + 10000)))
    exp.append(("sum-ne-detaljer", "SUM-UDBETALINGER", plain(10000)))
    return [(r, k[:6] + "-xxxx" if len(k) == 10 else k, a) for r, k, a in exp]


# faktura: tests/gen-faktura.py's night(), row by row.

FK_ACCOUNTS = ["5.57.73.007", "5.57.73.009", "5.57.75.001"]


def fk_amount(rnd, used):
    while True:
        a = rnd.randint(10000, 3000000)
        if used.add(a):
            return a


def fk_invoices(rnd, size):
    """The approved invoices as gen-faktura draws them, the fourth given
    the second's amount on another account."""
    used = Bits(3000001)
    first = []
    for i in range(size):
        acc, cc, day = rnd.choice(FK_ACCOUNTS), rnd.choice(["110", "120"]), rnd.randint(1, 24)
        inv = ("GODKENDT", "g%04d" % i, acc, cc, day, fk_amount(rnd, used))
        if i == 1:
            first = inv
        if i == 3:
            other = [x for x in FK_ACCOUNTS if x != first[2]][0]
            inv = inv[:2] + (other,) + inv[3:5] + (first[5],)
        yield inv
    return used


# the modulus-11 weights 2 7 6 5 | 4 3 2 1 over each half of a CVR number
FK_HI = [(2 * (x // 1000) + 7 * (x // 100 % 10) + 6 * (x // 10 % 10) + 5 * (x % 10)) % 11
         for x in range(10000)]
FK_LO = [(4 * (x // 1000) + 3 * (x // 100 % 10) + 2 * (x // 10 % 10) + x % 10) % 11
         for x in range(10000)]


def fk_cvr(rnd):
    """gen-faktura's cvr(): drawn until its modulus-11 check holds."""
    while True:
        c = rnd.randint(10000000, 99999999)
        if (FK_HI[c // 10000] + FK_LO[c % 10000]) % 11 == 0:
            return "%08d" % c


def faktura(rnd, drops, size, month, date):
    """Writes the files and returns the breaks [(reason, key, amount)]."""
    R = "faktura"
    # the first pass: where the payment days, then the rejected and failed
    # invoices, then the files' columns begin in the random sequence
    s0 = rnd.getstate()
    gen = fk_invoices(rnd, size)
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        used = stop.value
    s1 = rnd.getstate()
    for n in range(1, size):
        rnd.randint(0, 5)
    s2 = rnd.getstate()
    rejected = [("AFVIST", "a%04d" % i, rnd.choice(FK_ACCOUNTS), "110", rnd.randint(1, 24),
                 fk_amount(rnd, used)) for i in range(2)]
    failed = ("TEKNISK_FEJL", "t0001", FK_ACCOUNTS[0], "110", 20, fk_amount(rnd, used))
    del used
    cols, days = rnd, at(s1)
    yyyy, mm = month.split("-")
    head = ("Faktura_Unikidentifikation;Fakturanummer;CVR;CPR;Beløb;Beslutning;Beslutningsdato;"
            "Konto;Omkostningssted")

    def row(r):
        kind, ident, acc, cc, day, a = r
        return "%s;%s;%s;%02d%02d7%d-%04d;%s;%s;%s-%02d;%s;%s" % (
            ident, ident.upper(), fk_cvr(cols), cols.randint(1, 28), cols.randint(1, 12),
            cols.randint(0, 9), cols.randint(0, 9999), money(a),
            kind if kind != "TEKNISK_FEJL" else "", month, day, acc, cc)

    def post(b, d, acc, a):
        erp("FAKTURA;%s;%02d-%s-%s;%s;Faktura;DKK;%s;" % (b, d, mm, yyyy, acc, money(a)))
        erpsum[acc.rsplit("-", 1)[0]] += a

    godkendt = drops.open(R, "ky/KY_GodkendteEfakturaer_29757895_%s.csv" % date, head)
    erp = drops.open(R, "erp/ERP_PRISME_Posteringer_%s.csv" % date,
                     "Oprettet af;Bilag;Dato;Finanskonto;Beskrivelse;Valuta;Beløb;Ydelsesmodtager")
    exp, kysum, erpsum = [], dict.fromkeys(FK_ACCOUNTS, 0), dict.fromkeys(FK_ACCOUNTS, 0)
    again = at(s0)
    for n, inv in enumerate(fk_invoices(again, size)):
        godkendt(row(inv))
        _, ident, acc, cc, day, a = inv
        kysum[acc] += a
        pay_acc, pay_cc = acc, cc
        if n == 0:
            exp.append(("mangler-i-erp", "GODKENDT", plain(a)))
            continue
        if n == 1:
            pay_acc = [x for x in FK_ACCOUNTS if x != acc][0]
            exp.append(("forkert-konto", "GODKENDT", plain(a)))
        if n == 2:
            pay_cc = "130"
            exp.append(("forkert-omkostningssted", "GODKENDT", plain(a)))
        post("FAK-%08d" % n, day + days.randint(0, 5), pay_acc + "-" + pay_cc, a)
    if again.getstate() != s1 or days.getstate() != s2:
        sys.exit("gen-night: faktura: the second pass drew otherwise than the first")
    paid = rejected[0]
    post("FAK-09000000", paid[4] + 1, paid[2] + "-110", paid[5])
    exp += [("afvist", "AFVIST", plain(r[5])) for r in rejected]
    exp.append(("afvist-men-betalt", "AFVIST", plain(paid[5])))
    exp.append(("teknisk-fejl", "TEKNISK_FEJL", plain(failed[5])))
    for acc in FK_ACCOUNTS:
        if kysum[acc] != erpsum[acc]:
            exp.append(("konto-difference", acc, plain(kysum[acc] - erpsum[acc])))
    put = drops.open(R, "ky/KY_AfvisteEfakturaer_29757895_%s.csv" % date, head)
    for r in rejected:
        put(row(r))
    drops.open(R, "ky/KY_EfakturaTekniskFejl_29757895_%s.csv" % date, head)(row(failed))
    put = drops.open(R, "ky/KY_SumPosteringsgrundlagFaktura_29757895_%s.csv" % date,
                     "Bogføringsdato_Maaned;DebetKreditIndikator;Tilbagebetalingspligt;Konto;"
                     "Registreringskonto;Omkostningssted;OrganisatoriskReference;Beløb")
    for acc in FK_ACCOUNTS:
        put("%s;D;N;%s;;;Job og Afklaring;%s" % (month, acc, money(kysum[acc])))
    return exp


# debitor: tests/gen-debitor.py's night(), row by row.

def db_claims(rnd, size):
    """The claims as gen-debitor draws them: (id, created (month, day),
    CPR, amount, status, done (month, day) or None)."""
    for i in range(size):
        created = (rnd.choice([5, 6, 7, 8]), rnd.randint(1, 20))
        cpr = "%02d%02d8%d-%04d" % (rnd.randint(1, 28), rnd.randint(1, 12), rnd.randint(0, 9), i % 10000)
        a = rnd.randint(10000, 1500000)
        status, done = "AFVENTER_FRIGIVELSE", None
        m = rnd.choice([7, 8])
        if rnd.random() < 0.6 and m >= created[0]:
            d = rnd.randint(created[1] if m == created[0] else 1, 31 if m == 7 else 30)
            status, done = "ACCEPTERET", (m, d)
        yield ["c-%04d" % i, created, cpr, a, status, done]


def debitor(rnd, drops, size, tmpdir):
    """Writes the files of 2021-08-31 and returns the breaks [(reason,
    key, amount)]."""
    R = "debitor"
    s0 = rnd.getstate()
    for _ in db_claims(rnd, size):
        pass
    s1 = rnd.getstate()
    later = rnd     # the draws after the claims: posting days, then the rest
    # a posting: (month, day, amount, the person's DDMM as a number or -1)
    postings = Sorter("<bbqi", tmpdir)
    restance = 5000000
    exp, sums = [], {}
    accepted, july0 = 0, None
    first = []      # the accepted claims whose events are drawn: the first 12
    rows = drops.open(R, "ky/KY_DetaljerDebitor_29757895_20210831.csv",
                      "Fordring_Unikidentifikation;OprettetDatoTid;CPR;Ydelse;BehandlingDatoTid;"
                      "Status;FordringBeløb")
    again = at(s0)
    for c in db_claims(again, size):
        ident, created, cpr, a, status, done = c
        if status == "ACCEPTERET":
            accepted += 1
            sums[created[0]] = sums.get(created[0], 0) + a
            if accepted > 1 and july0 is None and created[0] <= 7:
                july0 = ident
                done = c[5] = (7, 31)
            if len(first) < 12:
                first.append(c)
            if accepted > 1:
                m, d = done[0], done[1] + (1 if ident == july0 else later.randint(0, 1))
                if d > 31:      # the next day is in August
                    m, d = m + 1, 1
                postings.add((m, d, a, int(cpr[:4])))
                restance += a
        rows("%s;2021-%02d-%02d 10:00:00.0;%s;HTF_KONTANT;%s;%s;%s" % (
            ident, created[0], created[1], cpr,
            "2021-%02d-%02d 20:01:15.018" % done if done else "", status, plain(a)))
    if again.getstate() != s1:
        sys.exit("gen-night: debitor: the second pass drew otherwise than the first")
    lost = first[0]
    exp.append(("mangler-i-erp", "KY->DEBITOR", plain(lost[3])))
    # the lost claim's amount, the same day, posted for another person
    postings.add((lost[5][0], lost[5][1], lost[3], 0))
    restance += lost[3]
    exp.append(("ukendt-postering", "KY->DEBITOR", plain(lost[3])))
    stray = later.randint(10000, 1500000)
    postings.add((8, 20, stray, -1))
    restance += stray
    exp.append(("ukendt-postering", "KY->DEBITOR", plain(stray)))
    events = []
    for i, c in enumerate(first[1:12]):
        kind = later.choice(["DAEKNING", "AFSKRIVNING", "NEDREGULERING"])
        a = later.randint(100, c[3])
        d = (later.choice([7, 8]), later.randint(1, 27))
        events.append((c, kind, d, a))
        if i:
            postings.add((d[0], d[1], -a, int(c[2][:4])))
            restance -= a
        else:
            exp.append(("mangler-i-erp", "DEBITOR->KY", plain(a)))
    sums[6] = sums.get(6, 0) + 12345
    exp.append(("sum-ne-detaljer", "SUM-REGISTRERINGER", plain(12345)))
    rejected = [(later.randint(10000, 1500000), "Services er midlertidig lukket for anvendelse"),
                (later.randint(10000, 1500000), "Debitor findes ikke")]
    exp += [("afvist", "KY->DEBITOR", plain(a)) for a, _ in rejected]
    group, missing = -later.randint(1000, 90000), later.randint(100, 5000)
    common = -(restance + group) - missing
    exp.append(("debitorgruppe-overfoersel", "MELLEMREGNING", plain(group)))
    exp.append(("unexplained", "MELLEMREGNING", plain(-missing)))

    head = ("Fordring_Unikidentifikation;OprettetDatoTid;CPR;Ydelse;BehandlingDatoTid;Status;"
            "FordringBeløb")
    put = drops.open(R, "ky/KY_DetaljerDebitorFejlede_29757895_20210831.csv",
                     head.replace("Status;", "Svarresultat;") + ";KvitteringAarsagTitel;LokalAarsagsTekst")
    for i, (a, why) in enumerate(rejected):
        put(("r-%d;2021-08-%02d 09:00:00.0;0101900-%03d;HTF_KONTANT;;AFVIST;%s;%s;" % (
            i, 10 + i, i, plain(a), why)).replace("0101900-", "010190-0"))
    put = drops.open(R, "ky/KY_SumDebitorregistreringer_29757895_20210831.csv",
                     "OprettetDatoTid_Maaned;DebitorKonto.OrganisatoriskReference;Status;FordringBeløb")
    for m, a in sorted(sums.items()):
        put("2021-%02d;Job og Afklaring;ACCEPTERET;%s" % (m, plain(a)))
    put = drops.open(R, "ky/KY_AfstemningFordringer_29757895_20210831.csv",
                     "Fordring_Unikidentifikation;CPR;Haendelse;Haendelsesdato;Beløb")
    for c, k, d, a in events:
        put("%s;%s;%s;2021-%02d-%02d;%s" % (c[0], c[2], k, d[0], d[1], plain(a)))
    put = drops.open(R, "erp/ERP_PRISME_Kontostreng_928148001_20210831.csv",
                     "Kladdenummer;Bilag;Dato;Beløb i rapporteringsvaluta;Beskrivelse;Ydelsesmodtager",
                     "cp1252")
    for i, (m, d, a, who) in enumerate(postings):
        put("AAK-%09d;FAK-%08d;%02d-%02d-2021;%s;Faktura;%s" % (
            i, i, d, m, money(a), "%04d" % who if who >= 0 else ""))
    put = drops.open(R, "erp/ERP_PRISME_Raabalance_20210831.csv",
                     "Økonomisk dimension;Navn;Slutsaldo", "cp1252")
    put("928148001;Debitor - restancekonto-KY;%s" % money(restance))
    put("928148002;Debitor - mellemregning-KY;%s" % money(common))
    put("928148012;Debitor - mellemregning-KY gruppe 2;%s" % money(group))
    return exp


# opkraevning: tests/gen-opkraevning.py's Gen (EASY-A student fees and
# their NS charges, every rule it injects) moved to the night 2021-08-31
# and written group by group.

# Its dates for its night 2025-03-15 and their places around 2021-08-31.
# The rules' window runs from the 1st of the month before the night to the
# night + 30 days (conf/opkraevning.conf): rates 1 and 4 stay outside it,
# rate 2 falls due before the night and rate 3 after; each birth date keeps
# its age on the quarter start it was chosen for (rule 6), each charge day
# its distance to its due date or to the night (ns-booking-days).
OPK_NIGHT = 20210831
OPK_RATE_DUE = {1: 20210601, 2: 20210701, 3: 20210915, 4: 20211001}
OPK_DAY = {
    20070501: 20040501, 20070615: 20040615, 20071130: 20041130,     # under 18 all autumn
    20070402: 20030702, 20070401: 20030701, 20070331: 20030630,     # 18 about rate 3's quarter
    20080229: 20040229, 20040229: 20000229,                         # 29 February, 17 and 21
    20250115: 20210615, 20250201: 20210701,                         # agreements
    20250215: 20210715, 20250220: 20210720,                         # left, then charged
    20250310: 20210826, 20250120: 20210620,                         # charge days
    20250320: 20210905, 20250301: 20210815,                         # left before rate 3; moved
    20250210: 20210710, 20250305: 20210820,                         # the booking period
}
# the birth dates of the students under 18 that need not be exact
OPK_YOUNG = {20040501, 20040615, 20041130}
# the traps (the hard dates that must not be flagged) in the first course
# groups only: their birth dates are exact, 2000 substitute numbers each
OPK_TRAP_GROUPS = 500
# the hold's and the guests' own days (strings in the hold's fee rows)
OPK_HOLD_DAY = {"2025-02-03": "2021-07-05", "2025-03-28": "2021-09-24", "2025-03-01": "2021-08-01"}
OPK_SHORT_DUE = {20250301: 20210801, 20250215: 20210715, 20250320: 20210905}


def opk_module():
    """gen-opkraevning.py with its NIGHT and RATE_DUE replaced (its Gen's
    methods read them) and a Gen on the days above."""
    mod = load(TESTS + "/gen-opkraevning.py")
    mod.NIGHT, mod.RATE_DUE = OPK_NIGHT, OPK_RATE_DUE

    class Gen(mod.Gen):
        def __init__(self, rnd, ngroups, nstud):
            super().__init__(0, ngroups, nstud)
            self.rnd, self.young = rnd, {}
            # inactive before rate 3; inactive from the day after it
            self.nsdeb[4][2] = "2021-08-01"
            self.nsdeb[5][2] = mod.iso(mod.day_add_days(OPK_RATE_DUE[3], 1))

        def birth_adult(self):
            return mod.day_from_number(mod.day_number(19900101) + self.rnd.randint(0, 4200))

        def make_group(self, i, unit="FORLOEBSGRUPPE"):
            gi = super().make_group(i, unit)
            gi["start"] = 20210503
            gi["end"] = 20211119 if gi["end"] == 20250620 else 20211029
            return gi

        def student(self, gi, birth=None, **kw):
            for k in ("start", "end", "agr_from", "agr_to", "moved_day"):
                if k in kw:
                    kw[k] = OPK_DAY.get(kw[k], kw[k])
            birth = OPK_DAY.get(birth, birth)
            if birth in OPK_YOUNG:
                # a birth date has 2000 substitute numbers (sub_cpr draws
                # until it finds a free one): each 1500 students born on
                # one of these days, the next day (all under 18 all
                # autumn)
                n = self.young[birth] = self.young.get(birth, 0) + 1
                birth = mod.day_add_days(birth, (n - 1) // 1500)
            return super().student(gi, birth, **kw)

        def line(self, gi, cpr, gebyrtype, central, rate, amount, due, **kw):
            if "charged_day" in kw:
                kw["charged_day"] = OPK_DAY[kw["charged_day"]]
            if gi["unit"] in ("HOLD", "GAEST"):
                due = OPK_SHORT_DUE[due]
            return super().line(gi, cpr, gebyrtype, central, rate, amount, due, **kw)

        def hold_cases(self):
            n = len(self.fees)
            super().hold_cases()
            for row in self.fees[n:]:
                row[:] = [OPK_HOLD_DAY.get(x, x) for x in row]

    return mod, Gen


def opkraevning(rnd, drops, ngroups, nstud, date):
    """Writes EASY-A's lines, group fees and students and NS's debtors and
    charges as gen-opkraevning's build() makes them (each injected case
    once per 16 groups instead of 4, the traps in the first 500 groups)
    and returns the breaks [(reason, key, amount)]. The lines are shuffled
    within their group."""
    R = "opkraevning"
    mod, Gen = opk_module()
    g = Gen(rnd, ngroups, nstud)

    def out(name, cols):
        put = drops.open(R, "easya/%s_%s.csv" % (name, date), ";".join(cols))
        return lambda r: put(";".join(mod.csv_field(x) for x in r))
    lines = out("EASYA_Opkraevningslinjer", mod.LINE_COLS + mod.LINE_OPT)
    fees = out("EASYA_Gruppegebyrer", mod.FEE_COLS + ["Enhedstype"])
    students = out("EASYA_Elever", mod.STUD_COLS + ["Flyttet_fra", "Flyttedato"])
    nsopk = out("NS_Opkraevninger", mod.NSOPK_COLS)

    def flush():
        g.rnd.shuffle(g.lines)
        for name, rows in ((lines, g.lines), (fees, g.fees), (students, g.students),
                           (nsopk, g.nsopk)):
            for r in rows:
                name(r)
            rows.clear()

    groups = [g.make_group(i) for i in range(g.ngroups)]
    cases = list(Gen.CASES)
    once = {"rate-forskellige-forfald", "uden-central-gebyrtype/gruppe"}
    cases += [c for c in cases if c not in once] * (max(1, g.ngroups // 16) - 1)
    rnd.shuffle(cases)
    per_group = [[] for _ in groups]
    for n, case in enumerate(cases):
        per_group[n % len(groups)].append(case)
    del cases
    for i, gi in enumerate(groups):
        if "rate-forskellige-forfald" in per_group[i]:
            g.inject(gi, None, "rate-forskellige-forfald")
    for i, gi in enumerate(groups):
        g.fees += g.fee_rows(gi)
        for _ in range(g.nstud):
            g.clean_student(gi)
        if i < OPK_TRAP_GROUPS:
            g.traps(gi)
        for case in per_group[i]:
            if case != "rate-forskellige-forfald":
                g.inject(gi, groups[(i + 1) % len(groups)], case)
        flush()
    g.booking_group(0)
    g.hold_cases()
    g.guest_cases()
    flush()
    put = out("NS_Debitorer", mod.NSDEB_COLS)
    for r in g.nsdeb:
        put(r)
    return [(c, k, mod.plain(a)) for c, k, a in g.expect]


def sizes(rows):
    """persons, recipients, invoices, claims for about ROWS rows: a person
    brings 3 (2 KY, 1 SKAT), a recipient about 5, an invoice 2, a claim
    about 1.5."""
    n = max(rows, 1000)
    return n * 40 // 100 // 3, n * 30 // 100 // 5, n * 15 // 100 // 2, n * 15 // 100 * 2 // 3


# mellemkommunal refusion: tests/gen-refusion.py's first night (the
# outgoing lists of three evening schools, the CPR residence extract,
# charges received) moved to 2021-08-31, which charges the half-year
# 2021-1, written line by line.

# The rates the night is charged at: conf/refusion.conf has 2025 and 2026
# only (DOF's published rates); a 2021 night needs a conf with these lines
# (tests/t0850-generated-night.sh adds them): 2025's figures, for 2021 and
# for 2019 (the late list).
REF_RATES = {(2021, "almen"): 1098, (2021, "handicap"): 7594,
             (2019, "almen"): 1098, (2019, "handicap"): 7594}
REF_RATE_LINES = "".join("rate %d %-9s %d,%02d\n" % (y, f, r // 100, r % 100)
                         for (y, f), r in sorted(REF_RATES.items()))
REF_LIST = {"NORD": 20210805, "OEST": 20210810, "MUSIK": 20210812}
REF_LIST2 = {"NORD": 20210820, "OEST": 20210825, "MUSIK": 20210827}
REF_LATE = {"NORD": 20210815, "OEST": 20210816}      # a list for 2019: too late


class RefUsed:
    """gen-refusion's 'used' CPR numbers (substitute day 61-88, any month,
    years 30-99, serial 0000-3999) as a bitmap."""

    def __init__(self):
        self.bits = Bits(28 * 12 * 70 * 4000)

    @staticmethod
    def index(c):
        return (((int(c[:2]) - 61) * 12 + int(c[2:4]) - 1) * 70 + int(c[4:6]) - 30) * 4000 + int(c[6:])

    def __contains__(self, c):
        k = self.index(c)
        return bool(self.bits.m[k >> 3] >> (k & 7) & 1)

    def add(self, c):
        self.bits.add(self.index(c))


def refusion(rnd, drops, size, date):
    """Writes the lists, the residence extract and the charges received
    and returns the answer keys: {recon: [(reason, key, amount)]} and the
    charges out [(kommune, periode, lines, amount)]."""
    R = "mellemkommunal-refusion"
    mod = load(TESTS + "/gen-refusion.py")
    mod.RATES = REF_RATES
    night = int(date)
    g = mod.Gen(0, size)
    g.rnd, g.used = rnd, RefUsed()
    exp, ind, charges = [], [], {}
    bopael = drops.open(R, "cpr/CPR_Bopael_%s.csv" % date, "CPR;Kommunekode;Fra;Til;Betalingskommune")

    class Residences:
        """g.res: each person's rows written as they are set."""

        def __setitem__(self, c, rows):
            for k, fra, til, betal in rows:
                bopael("%s;%s;%s;%s;%s" % (mod.fmt_cpr(c), k, mod.fmt_day(fra),
                                           mod.fmt_day(til) if til else "", betal))
    g.res = Residences()
    lists = {}

    def put(school, day, ln, periode="2021-1"):
        if (school, day) not in lists:
            if school == "NORD":
                lists[school, day] = drops.open(
                    R, "aftenskoler/AFS_NORD_%d.csv" % day, "\ufeffHoldnr;Holdnavn;Startdato;"
                    "Slutdato;CPR-nr;Navn;Lektioner;Undervisningsform")
            elif school == "OEST":
                lists[school, day] = drops.open(
                    R, "aftenskoler/AFS_OEST_%d.csv" % day, "Hold;Cpr;Fulde navn;Kursusstart;"
                    "Kursusslut;Deltagertimer;Type;Hjemkommune\r", "cp1252")
            else:
                lists[school, day] = drops.open(
                    R, "aftenskoler/AFS_MUSIK_%d.xml" % day, '<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<Deltagerliste skole="Musikaftenskolen" periode="%s">' % periode,
                    footer="</Deltagerliste>")
        w, l = lists[school, day], ln
        if school == "NORD":
            w("%s;Hold %s;%s;%s;%s;%s;%s;%s" % (
                l["holdnr"], l["holdnr"], mod.fmt_dmy(l["start"]), mod.fmt_dmy(l["slut"]),
                l["raw"] if l["cpr"] == mod.ZERO_CPR else mod.fmt_cpr(l["raw"]), l["name"],
                mod.hours_text(l["hours"]), l["form"].capitalize()))
        elif school == "OEST":
            code = {"almen": "alm", "handicap": "hc", "instrumental": "instr", "foredrag": "foredrag"}
            w("%s;%s;%s;%s;%s;%s;%s;%s\r" % (
                l["holdnr"], l["raw"], l["name"], mod.fmt_day(l["start"]), mod.fmt_day(l["slut"]),
                mod.hours_text(l["hours"]), code[l["form"]], l["stated"]))
        else:
            aar = ' aar="%d"' % l["aar"] if l["aar"] else ""
            h = l["hours"]
            w('  <Hold nr="%s" navn="Hold %s" start="%s" slut="%s" form="%s"%s>\n'
              '    <Deltager cpr="%s" navn="%s" timer="%d%s"/>\n  </Hold>' % (
                  l["holdnr"], l["holdnr"], mod.fmt_day(l["start"]), mod.fmt_day(l["slut"]),
                  l["form"], aar, l["raw"], l["name"], h // 100,
                  "" if h % 100 == 0 else ".%02d" % (h % 100)))
        return ln

    def expect(reason, key, amount):
        exp.append((reason, key, mod.kr(amount)))

    def charge(k, amount):
        c = charges.setdefault((k, "2021-1"), [0, 0])
        c[0] += 1
        c[1] += amount

    def start(year=2021, half=1):
        return mod.Gen.start(g, year, half)
    g.start = start
    OWN, PAYERS, AGREEMENT, NAMES = mod.OWN, mod.PAYERS, mod.AGREEMENT, mod.NAMES
    schools = ["NORD", "OEST", "MUSIK"]
    # gen-refusion's outgoing() first night: every reason at least once
    # (per 400 plain lines at scale), in every school where it can occur
    breaks = (["cpr-ugyldig"] * 3 + ["uden-for-periode-csv"] * 2 + ["uden-for-periode-xml"] +
              ["foredrag"] * 3 + ["takst-mangler"] * 2 + ["dublet-file"] * 3 +
              ["dublet-files"] * 3 + ["dublet-uncharged"] + ["ukendt-i-cpr"] * 3 +
              ["bopael-start"] * 2 + ["bopael-overlap"] + ["bopael-christiansoe"] +
              ["bor-i-egen-kommune"] * 3 + ["aftalekommune"] * 3 + ["betalingskommune"] * 2 +
              ["moved"] * 2 + ["stated"] * 2 + ["half-up"])
    cases = ["charge"] * max(1, size - 40) + breaks * max(1, size // 400)
    rnd.shuffle(cases)
    for case in cases:
        school = rnd.choice(schools)
        day = REF_LIST[school]
        if case in ("charge", "moved", "stated", "betalingskommune", "half-up"):
            k = rnd.choice(PAYERS)
            if case == "betalingskommune":
                c = g.person(OWN, betal=k)       # § 43 stk. 3: our register, k pays
            elif case == "moved":
                c = g.cpr()
                st = g.start()
                moved = mod.day_add(st, -rnd.randint(1, 40))
                g.res[c] = [(rnd.choice(PAYERS + [OWN]), 19990101, moved, ""), (k, moved, 0, "")]
            else:
                c = g.person(k)
            form = "handicap" if rnd.random() < 0.2 else "almen"
            ln = g.line(school if case != "stated" else "OEST", c, form=form,
                        hours=1225 if case == "half-up" else None,
                        stated=NAMES[rnd.choice([x for x in NAMES if x != k])] if case == "stated"
                        else (NAMES[k] if rnd.random() < 0.3 else ""))
            if case == "half-up":
                ln["form"], ln["school"] = "almen", "OEST"
            if case == "moved":
                ln["start"] = st
                ln["slut"] = mod.day_add(st, 60)
            put(ln["school"], REF_LIST[ln["school"]], ln)
            charge(k, g.value(ln))
        elif case == "cpr-ugyldig":
            raw = rnd.choice(["601385-1234", "320185-1234", "12345678", "abcdef-ghij", "9913401234"])
            ln = put(school, day, g.line(school, mod.ZERO_CPR, raw=raw))
            expect("cpr-ugyldig", "UKENDT", g.value(ln))
        elif case == "uden-for-periode-csv":
            sch = rnd.choice(["NORD", "OEST"])
            c = g.person(rnd.choice(PAYERS))
            st = g.start()
            ln = put(sch, REF_LIST[sch], g.line(sch, c, start=st, slut=mod.day_add(st, -rnd.randint(1, 30))))
            expect("uden-for-periode", "UKENDT", g.value(ln))
        elif case == "uden-for-periode-xml":
            c = g.person(rnd.choice(PAYERS))
            put("MUSIK", REF_LIST["MUSIK"], g.line("MUSIK", c, aar=2020))
            expect("uden-for-periode", "UKENDT", 0)     # no 2020 rate: value 0
        elif case == "foredrag":
            where = rnd.choice(["payer", "own", "unknown"])
            k = rnd.choice(PAYERS)
            c = g.person(k) if where == "payer" else g.person(OWN) if where == "own" else g.cpr()
            put(school, day, g.line(school, c, form="foredrag"))
            expect("foredrag-ikke-refusion", k if where == "payer" else OWN if where == "own" else "UKENDT", 0)
        elif case == "takst-mangler":
            sch = rnd.choice(["NORD", "OEST"])
            c = g.person(rnd.choice(PAYERS))
            put(sch, REF_LIST[sch], g.line(sch, c, form="instrumental"))
            expect("takst-mangler", "UKENDT", 0)
        elif case in ("dublet-file", "dublet-files"):
            k = rnd.choice(PAYERS)
            ln = put(school, day, g.line(school, g.person(k)))
            charge(k, g.value(ln))
            put(school, day if case == "dublet-file" else REF_LIST2[school], ln)
            expect("dublet", k, g.value(ln))
        elif case == "dublet-uncharged":
            ln = put(school, day, g.line(school, g.cpr()))      # not in the extract
            expect("ukendt-i-cpr", "UKENDT", g.value(ln))
            put(school, REF_LIST2[school], ln)
            expect("dublet", "UKENDT", g.value(ln))
        elif case == "ukendt-i-cpr":
            ln = put(school, day, g.line(school, g.cpr()))
            expect("ukendt-i-cpr", "UKENDT", g.value(ln))
        elif case == "bopael-start":
            c = g.cpr()
            ln = g.line(school, c)
            g.res[c] = [(rnd.choice(PAYERS), mod.day_add(ln["start"], rnd.randint(1, 20)), 0, "")]
            put(school, day, ln)
            expect("bopael-ukendt-ved-start", "UKENDT", g.value(ln))
        elif case == "bopael-overlap":
            c = g.cpr()
            g.res[c] = [("0101", 20000101, 0, ""), ("0147", 20100101, 0, "")]
            ln = put(school, day, g.line(school, c))
            expect("bopael-ukendt-ved-start", "UKENDT", g.value(ln))
        elif case == "bopael-christiansoe":
            ln = put(school, day, g.line(school, g.person("0411")))
            expect("bopael-ukendt-ved-start", "UKENDT", g.value(ln))
        elif case == "bor-i-egen-kommune":
            ln = put(school, day, g.line(school, g.person(OWN)))
            expect("bor-i-egen-kommune", OWN, g.value(ln))
        elif case == "aftalekommune":
            k = rnd.choice(AGREEMENT)
            ln = put(school, day, g.line(school, g.person(k)))
            expect("aftalekommune", k, g.value(ln))
    del cases
    # gen-refusion's third night: a list for 2019 after its deadline (the
    # end of 2020), and a line of 2021-2, whose half-year has not ended
    for school in ("NORD", "OEST"):
        k = rnd.choice(PAYERS)
        ln = put(school, REF_LATE[school], g.line(school, g.person(k), start=start(2019)))
        expect("for-sent-indberettet", k, g.value(ln))
        put(school, REF_LIST2[school], g.line(school, g.person(rnd.choice(PAYERS)), start=start(2021, 2)))

    # gen-refusion's incoming(): charges to us for 2021-1 in the shipped
    # layout (its invented 0751 layout needs a schema line of its own)
    files = {("0147", 20210810): [], ("0147", 20210820): [], ("0159", 20210822): []}

    def ind_line(C, cpr, form="almen", hours=None, takst=None, amount=None, payer=OWN, raw=None):
        hours = hours if hours is not None else rnd.randint(4, 30) * 100
        takst = takst if takst is not None else REF_RATES.get((2021, form), 1200)
        amount = amount if amount is not None else mod.kroner_value(hours, takst)
        g.hold += 1
        return {"C": C, "payer": payer, "cpr": cpr, "raw": raw or cpr, "form": form, "hours": hours,
                "takst": takst, "amount": amount, "start": start(), "holdnr": "V-%d" % g.hold,
                "name": g.name(), "ident": "%s-2021-1-0163" % C}

    def iexp(reason, C, amount):
        ind.append((reason, C, mod.kr(amount)))
    accepted = 3 + size // 40
    for (C, fday), ls in files.items():
        if C == "0159":
            for _ in range(2):
                ln = ind_line(C, g.person(OWN))
                ls.append(ln)
                iexp("aftalekommune", C, ln["amount"])
            continue
        for _ in range(accepted):
            ls.append(ind_line(C, g.person(OWN), form=rnd.choice(["almen", "handicap"])))
        ln = ind_line(C, g.person(OWN), payer="0265")
        ls.append(ln)
        iexp("forkert-modtager", C, ln["amount"])
        ln = ind_line(C, mod.ZERO_CPR, raw="611399-1234")
        ls.append(ln)
        iexp("cpr-ugyldig", C, ln["amount"])
        ln = ind_line(C, g.person(OWN), form="foredrag", takst=2555)
        ls.append(ln)
        iexp("foredrag", C, ln["amount"])
        ln = ind_line(C, g.person(C))                        # lived in C at the start
        ls.append(ln)
        iexp("ikke-bopael-ved-start", C, ln["amount"])
        ln = ind_line(C, g.cpr())                            # not in our extract
        ls.append(ln)
        iexp("ikke-bopael-ved-start", C, ln["amount"])
        ln = ind_line(C, g.person(OWN), form="instrumental", takst=3825)
        ls.append(ln)
        iexp("takst-mangler", C, ln["amount"])
        ln = ind_line(C, g.person(OWN), takst=1150)
        ls.append(ln)
        iexp("takst-afviger", C, ln["amount"] - mod.kroner_value(ln["hours"], REF_RATES[2021, "almen"]))
        ln = ind_line(C, g.person(OWN))
        ln["amount"] += 1000
        ls.append(ln)
        iexp("beloeb-afviger", C, 1000)
        dup = ind_line(C, g.person(OWN))
        ls.append(dup)
        ls.append(dict(dup))                                 # dublet within the file
        iexp("dublet", C, dup["amount"])
    keep = files[("0147", 20210810)][0]
    files[("0147", 20210820)].append(dict(keep, ident="0147-2021-1-0163"))   # across files
    iexp("dublet", "0147", keep["amount"])
    for (C, fday), ls in sorted(files.items()):
        w = drops.open(R, "refusion/MKR_%s_%d.csv" % (C, fday),
                       "\ufeffOpkraevende_kommune;Betalende_kommune;Periode;Skole;Holdnr;Kursusstart;"
                       "CPR;Navn;Form;Timer;Takst;Beloeb;Opkraevnings_id")
        for l in ls:
            w("%s;%s;2021-1;Aftenskole Vest;%s;%s;%s;%s;%s;%s;%s;%s;%s" % (
                l["C"], l["payer"], l["holdnr"], mod.fmt_day(l["start"]),
                l["raw"] if l["cpr"] == mod.ZERO_CPR else mod.fmt_cpr(l["cpr"]), l["name"], l["form"],
                mod.hours_text(l["hours"]), mod.kr(l["takst"]), mod.kr(l["amount"]), l["ident"]))
    out = [(k, p, str(n), mod.kr(a)) for (k, p), (n, a) in charges.items()]
    return {R: exp, R + "-ind": ind}, out


# betalingsplaner: tests/gen-betalingsplaner.py's generate() (OIOUBL
# invoices held against payment plans, doctors' certificate orders, rent
# deductions; a history night and the night) moved 43 months back, so its
# night 2025-03-31 is 2021-08-31 and its history night 2025-02-28 is
# 2021-07-31 (a month's last day stays the last, a day stays its day:
# monthly cadences and the days the rules count are what they were).

BP_MONTHS = -43


def bp_shift(y, m, d):
    """A date of gen-betalingsplaner's scenario (2024-2026) moved."""
    k = y * 12 + m - 1 + BP_MONTHS
    y2, m2 = k // 12, k % 12 + 1
    last = calendar.monthrange(y2, m2)[1]
    return y2, m2, last if d == calendar.monthrange(y, m)[1] else d


def betalingsplaner(seed, top, n, bundle):
    """Writes the night's documents, plans, orders and rent deductions to
    TOP/drops/faktura and the history night's to TOP/history/2021-07-31/
    drops/faktura; N is gen-betalingsplaner's N (clean invoices, about 1.9
    documents each), the night's invoices BUNDLE to a .zip. Returns the
    number of files' rows and documents, the answer key [(reason, key,
    amount)], the postings [(plan, cpr, amount)] and the conf line
    scope-ean the night needs."""
    mod = load(TESTS + "/gen-betalingsplaner.py")
    demo = load(os.path.dirname(TESTS) + "/fixtures/demo/make.py")

    def date(y, m, d):      # the scenario's dates moved; the moved ones as they are
        return datetime.date(*(bp_shift(y, m, d) if y >= 2024 else (y, m, d)))
    mod.date = date
    tmp = tempfile.mkdtemp(dir=top)
    key = tmp + "/expected"
    mod.generate(argparse.Namespace(seed=seed, n=n, root=tmp + "/nights", expected=key,
                                    bundle=bundle))
    count = 0
    for night, dest in (("2021-07-31", top + "/history/2021-07-31/drops/faktura"),
                        ("2021-08-31", top + "/drops/faktura")):
        src = "%s/nights/%s/drops/faktura" % (tmp, night)
        os.makedirs(dest, exist_ok=True)
        for name in sorted(os.listdir(src)):
            # (its two files that are not OIOUBL, X-*.xml, make the night
            # exit 65, which make bench takes for a failure: t0450 has them)
            if name.endswith(".done") or name.startswith("X-"):
                continue
            with open(src + "/" + name, "rb") as fh:
                data = fh.read()
            if name.endswith(".csv"):       # plans, orders, deductions: their dates
                data = demo.shift_text(data, bp_shift)
                name = demo.shift_name(name, bp_shift)
                count += data.count(b"\n") - 1
            elif name.endswith(".zip"):
                count += len(zipfile.ZipFile(io.BytesIO(data)).namelist())
            else:
                count += 1
            with open(dest + "/" + name, "wb") as fh:
                fh.write(data)
            open(dest + "/" + name + ".done", "w").close()

    def lines(path):
        with open(path, encoding="utf-8") as fh:
            return [tuple(l.rstrip("\n").split(";")) for l in fh]
    exp = [x for x in lines(key) if x[0] != "ikke-oioubl"]
    post = lines(key + ".postings")
    with open(tmp + "/nights/scope-ean") as fh:
        scope = fh.read()
    shutil.rmtree(tmp)
    return count, exp, post, scope


def opk_groups(rows):
    """EASY-A course groups for about ROWS rows: a group of 8 clean
    students brings about 170 rows; about 3 % of the night, at least 4."""
    return max(4, rows * 3 // 100 // 170)


def ref_lines(rows):
    """Evening-school list lines for about ROWS rows: a line brings about
    2 (the line, its residence); about 3 % of the night, at least 60."""
    return max(60, rows * 3 // 100 // 2)


BP_BUNDLE = 250      # the night's invoices to a .zip (unpack opens them)


def bp_invoices(rows):
    """gen-betalingsplaner's N for about ROWS rows: N brings about 1.9
    OIOUBL documents (1.1 N on the night, 0.8 N on the history night) and
    0.3 N CSV rows; N = ROWS / 10000, at least 40. (Each document is a
    landed file, and what normalise writes grows about as the square of
    the night's files: 21 MB for N = 100, 447 MB for N = 800. One document
    a 1000 rows would write tens of GB at 10^7.)"""
    return max(40, rows // 10000)


def ky_eindkomst_key(eb):
    """KY minus SKAT per person, and their sum unexplained on the month."""
    exp = [("cpr-difference", "0014", c.replace("-", ""), kr(-d, dots=False)) for c, d in eb]
    exp.append(("unexplained", "0014", "", kr(-sum(d for _, d in eb), dots=False)))
    return exp


def write_conf(top, scope):
    """DIR/conf/refusion-rates.conf: the lines conf/refusion.conf needs for
    this night (its rates for 2021 and 2019); DIR/conf/betalingsplaner-
    scope.conf: the scope-ean line that replaces conf/betalingsplaner.conf's
    (the robot EANs of the generated invoices)."""
    os.makedirs(top + "/conf", exist_ok=True)
    with open(top + "/conf/refusion-rates.conf", "w") as fh:
        fh.write("# tests/bench/gen-night.py: the rates its 2021-08-31 night is charged at\n")
        fh.write(REF_RATE_LINES)
    with open(top + "/conf/betalingsplaner-scope.conf", "w") as fh:
        fh.write(scope)


def write_expected(top, expect):
    os.makedirs(top + "/expected", exist_ok=True)
    for recon, lines in expect.items():
        with open("%s/expected/%s.txt" % (top, recon), "w") as fh:
            for line in sorted((";".join(x) for x in lines), key=lambda s: s.encode()):
                fh.write(line + "\n")


def streamed(a):
    rnd = random.Random(a.seed)
    persons, recipients, invoices, claims = sizes(a.rows)
    os.makedirs(a.dir, exist_ok=True)
    drops, expect = Drops(a.dir + "/drops"), {}
    expect["ky-eindkomst"] = ky_eindkomst_key(eindkomst(
        Rnd(rnd.random()), drops, persons, max(3, persons // 2000), MONTH, DATE))
    expect["nemkonto"] = nemkonto(Rnd(rnd.random()), drops, recipients, MONTH, 30, DATE, a.dir)
    expect["faktura"] = faktura(Rnd(rnd.random()), drops, invoices, MONTH, DATE)
    expect["debitor"] = debitor(Rnd(rnd.random()), drops, claims, a.dir)
    # the sources added later draw from a generator of their own each,
    # seeded after the draws above: the files above stay what they were
    more = random.Random("gen-night %d" % a.seed)
    expect["opkraevning"] = opkraevning(Rnd(more.random()), drops, opk_groups(a.rows), 8, DATE)
    keys, expect["charges"] = refusion(Rnd(more.random()), drops, ref_lines(a.rows), DATE)
    expect.update(keys)
    drops.close()
    n, expect["betalingsplaner"], expect["betalingsplaner-postings"], scope = betalingsplaner(
        more.randrange(1 << 30), a.dir, bp_invoices(a.rows), BP_BUNDLE)
    drops.count["betalingsplaner"] = [n]
    write_conf(a.dir, scope)
    for recon in drops.count:
        print("%-14s %9d rows" % (recon, drops.count[recon][0]))
    write_expected(a.dir, expect)
    print("%-14s %9d rows" % ("total", sum(c[0] for c in drops.count.values())))


# --in-memory: the per-recon generators themselves, every row held (the
# reference the streaming above must equal byte for byte).

def load(path):
    """A generator script as a module (its main() does not run)."""
    name = os.path.basename(path)[:-3].replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def lines_of(value):
    """(lines, encoding) of a generator's file, whichever shape it gave."""
    if isinstance(value, list):
        return value[0], value[1:], "utf-8"
    if isinstance(value[1], str):
        return value[0][0], value[0][1:], value[1]
    header, rows = value
    if not isinstance(header, str):
        header = ";".join(header)
    return header, [r if isinstance(r, str) else ";".join(r) for r in rows], "utf-8"


def in_memory(a):
    rnd = random.Random(a.seed)
    persons, recipients, invoices, claims = sizes(a.rows)
    files, expect = {}, {}
    e, eb = load(HERE + "/gen-eindkomst.py").night(
        random.Random(rnd.random()), persons, max(3, persons // 2000), MONTH, DATE)
    files["ky-eindkomst"] = e
    expect["ky-eindkomst"] = ky_eindkomst_key(eb)
    files["nemkonto"], expect["nemkonto"] = load(TESTS + "/gen-nemkonto.py").night(
        random.Random(rnd.random()), recipients, MONTH, 30, DATE)
    files["faktura"], expect["faktura"] = load(TESTS + "/gen-faktura.py").night(
        random.Random(rnd.random()), invoices, MONTH, DATE)
    files["debitor"], expect["debitor"] = load(TESTS + "/gen-debitor.py").night(
        random.Random(rnd.random()), claims)

    out = {}     # path -> [header, rows, encoding]; a shared file is one
    for recon, fs in files.items():
        count = 0
        for name, value in fs.items():
            header, rows, enc = lines_of(value)
            if name in out:
                if out[name][0] != header or out[name][2] != enc:
                    sys.exit("gen-night: %s: %s writes another header" % (name, recon))
                out[name][1].extend(rows)
            else:
                out[name] = [header, list(rows), enc]
            count += len(rows)
        print("%-14s %9d rows" % (recon, count))
    drops = a.dir + "/drops"
    for name, (header, rows, enc) in sorted(out.items()):
        path = drops + "/" + name
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding=enc, newline="") as fh:
            fh.write(header + "\n")
            fh.writelines(r + "\n" for r in rows)
        open(path + ".done", "w").close()
    # the sources added later: no per-recon generator writes them at this
    # scale; the streamed writers themselves (their answer keys are checked
    # against the stages by t0850)
    more = random.Random("gen-night %d" % a.seed)
    later = Drops(drops)
    expect["opkraevning"] = opkraevning(Rnd(more.random()), later, opk_groups(a.rows), 8, DATE)
    keys, expect["charges"] = refusion(Rnd(more.random()), later, ref_lines(a.rows), DATE)
    expect.update(keys)
    later.close()
    n, expect["betalingsplaner"], expect["betalingsplaner-postings"], scope = betalingsplaner(
        more.randrange(1 << 30), a.dir, bp_invoices(a.rows), BP_BUNDLE)
    later.count["betalingsplaner"] = [n]
    write_conf(a.dir, scope)
    for recon in later.count:
        print("%-14s %9d rows" % (recon, later.count[recon][0]))
    write_expected(a.dir, expect)
    print("%-14s %9d rows" % ("total", sum(len(v[1]) for v in out.values()) +
                              sum(c[0] for c in later.count.values())))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--in-memory", action="store_true",
                    help="call the per-recon generators, every row held (the reference)")
    ap.add_argument("dir")
    a = ap.parse_args()
    (in_memory if a.in_memory else streamed)(a)


if __name__ == "__main__":
    main()
