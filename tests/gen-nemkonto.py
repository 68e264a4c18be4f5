#!/usr/bin/env python3
"""Generates a NemKonto night (2021-11-15) with known injected breaks.

usage: gen-nemkonto.py SEED DROPS EXPECTED [N]  (N recipients, default 150)

Writes DROPS/erp/ERP_PRISME_Posteringer_20211115.csv and
DROPS/ky/KY_DetaljerUdbetalinger_29757895_20211115.csv (with .done
markers), and EXPECTED: one line per exception the stage must report,
'reason;key;amount', sorted. Recipients settle 1:1, N:1 (one NemKonto
debit for several KY payments), 1:N, or in several settlements; then the
breaks are injected, each exactly once: a lost NemKonto debit (its KY
credits stay open), a KY payment missing on the account, a returned
payment, a manual re-posting, a stray old debit, a payment in transit
(young, explained: no exception), and 'Sum - Udbetalinger' 100,00 above
the payments.
"""
import os
import random
import sys

ACCOUNT = "9000000000-952599065-9900000-60-9-"


def money(ore):
    s = "-" if ore < 0 else ""
    ore = abs(ore)
    kr, o = divmod(ore, 100)
    g = "{:,}".format(kr).replace(",", ".")
    return "%s%s,%02d" % (s, g, o)


def plain(ore):
    s = "-" if ore < 0 else ""
    return "%s%d,%02d" % (s, abs(ore) // 100, abs(ore) % 100)


def main():
    seed, drops, expected = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 150
    files, exp = night(random.Random(seed), size)
    os.makedirs(drops + "/erp", exist_ok=True)
    os.makedirs(drops + "/ky", exist_ok=True)
    for name, lines in files.items():
        with open(drops + "/" + name, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        open(drops + "/" + name + ".done", "w").close()
    with open(expected, "w") as f:
        for line in sorted(";".join(e) for e in exp):
            f.write(line + "\n")


def night(rnd, size, month="2021-11", transit_day=14, date="20211115"):
    """The night's files {path under DROPS: lines with header} and its
    breaks [(reason, key, amount)]: payments and postings in MONTH
    (YYYY-MM), the payment in transit on TRANSIT_DAY (the night's day
    before), files named for DATE (YYYYMMDD). Beyond 33.600 recipients
    (DDMMYY, days 1-28) they are full CPR numbers of days 29-30, the key
    masked DDMMYY-xxxx."""
    days = set()
    while len(days) < min(size, 33600):   # DDMM, or DDMMYY beyond what DDMM can tell apart
        days.add((rnd.randint(1, 28), rnd.randint(1, 12), rnd.randint(0, 99) if size > 300 else -1))
    recipients = sorted(("%02d%02d" % d[:2]) + ("%02d" % d[2] if d[2] >= 0 else "") for d in days)
    if size > len(recipients):
        # born on the 29th or 30th (not in February): no DDMMYY recipient
        # above begins them, so no payment of theirs is taken for one of these
        full = set()
        while len(full) < size - len(recipients):
            full.add("%02d%02d%02d%04d" % (rnd.randint(29, 30), rnd.choice([1] + list(range(3, 13))),
                                           rnd.randint(0, 99), rnd.randint(0, 9999)))
        recipients += sorted(full)
    postings, payments, exp = [], [], []
    bilag = [17000]

    def nb(prefix="KY"):
        bilag[0] += 1
        return "%s-%09d" % (prefix, bilag[0])

    def pay(rec, ore, day, text="Mellemregning NemKonto"):
        b = nb()
        postings.append((b, day, -ore, rec, text))
        payments.append((rec, ore, day, b))
        return b

    def debit(rec, ore, day, prefix="KY", text="Mellemregning NemKonto"):
        postings.append((nb(prefix), day, ore, rec, text))

    def amount():
        return rnd.randint(100, 2000000)

    breaks = ["lost-debit", "missing", "retur", "omp", "stray", "transit"]
    for i, rec in enumerate(recipients):
        day = rnd.randint(1, 10)
        kind = breaks[i] if i < len(breaks) else rnd.choice(["1:1", "N:1", "1:N", "multi"])
        if kind in ("1:1", "missing", "transit"):
            a = amount()
            d = transit_day if kind == "transit" else day
            pay(rec, a, d)
            if kind != "transit":
                debit(rec, a, d)
            if kind == "missing":
                m = amount()
                payments.append((rec, m, day, "KY-999999999"))
                exp.append(("mangler-paa-konto", rec, plain(m)))
        elif kind in ("N:1", "lost-debit"):
            parts = [amount() for _ in range(rnd.randint(2, 4))]
            for a in parts:
                pay(rec, a, day)
            if kind == "N:1":
                debit(rec, sum(parts), day + rnd.randint(0, 2))
            else:
                exp += [("aaben-post", rec, plain(-a)) for a in parts]
        elif kind == "1:N":
            a, b = amount(), amount()
            pay(rec, a + b, day)
            debit(rec, a, day)
            debit(rec, b, day + 1)
        elif kind == "multi":   # half the time the same amount twice
            same = amount() if rnd.random() < 0.5 else None
            for _ in range(2):
                a = same or amount()
                pay(rec, a, day)
                debit(rec, a, day + 1)
                day += 2
        elif kind == "retur":
            a = amount()
            pay(rec, a, day)
            debit(rec, a, day + 3, "OMP", "Retur ingen nem-konto")
            exp.append(("retur", rec, plain(a)))
        elif kind == "omp":
            a = amount()
            pay(rec, a, day)
            debit(rec, a, day + 1, "OMP", "Udlignet Nem-konto")
            exp.append(("ompostering", rec, plain(a)))
        elif kind == "stray":
            a = amount()
            debit(rec, a, day)
            exp.append(("aaben-post", rec, plain(a)))
    rnd.shuffle(postings)
    yyyy, mm = month.split("-")
    files = {}
    files["erp/ERP_PRISME_Posteringer_%s.csv" % date] = [
        "Oprettet af;Bilag;Dato;Finanskonto;Beskrivelse;Valuta;Beløb;Ydelsesmodtager"] + [
        "DMPMP;%s;%02d-%s-%s;%s;%s;DKK;%s;%s" % (b, d, mm, yyyy, ACCOUNT, text, money(a), rec)
        for b, d, a, rec, text in postings]
    ky = ["Udbetaling_Unikidentifikation;CPR;Dispositionsdato;Beløb;Status;"
          "Straksudbetaling;Bilagsreference"]
    for n, (rec, a, d, b) in enumerate(payments):
        if len(rec) == 10:
            cpr = rec[:6] + "-" + rec[6:]
        else:
            cpr = rec[:4] + (rec[4:] or "85") + "-%04d" % (n % 10000)
        ky.append("u-%06d;%s;%s-%02d;%s;GENNEMFOERT;N;%s" % (n, cpr, month, d, money(a), b))
    files["ky/KY_DetaljerUdbetalinger_29757895_%s.csv" % date] = ky
    total = sum(a for _, a, _, _ in payments)
    files["ky/KY_SumUdbetalinger_29757895_%s.csv" % date] = [
        "Dispositionsdato_YYYYMM;Status;Straksudbetaling;Beløb",
        "%s;GENNEMFOERT;N;%s" % (month, money(total + 10000))]
    exp.append(("sum-ne-detaljer", "SUM-UDBETALINGER", plain(10000)))
    exp = [(r, k[:6] + "-xxxx" if len(k) == 10 else k, a) for r, k, a in exp]
    return files, exp

if __name__ == "__main__":
    main()
