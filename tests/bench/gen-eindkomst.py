#!/usr/bin/env python3
"""Generates a night of ky-eindkomst drops of any size (seeded, reproducible).

    gen-eindkomst.py --persons N --breaks K --seed S DROPS

Every person has a confirmed 0014 line (income, ATP, OP) and a 0015 line
(A-skat); one in 50 persons also has a rejected 0013 line that is on the
'fejlede' list (an explained difference). K persons get a SKAT 'Sum pr.
enhed' amount for 0014 that differs from KY by a known amount: the night
must report exactly those K persons as cpr-difference exceptions. Their
CPR numbers are written to DROPS/../expected-breaks.txt.
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from genlib import write  # noqa: E402

SE = "29757895"


def cpr(rng, used):
    while True:
        d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(40, 99)
        s = "%02d%02d%02d-%04d" % (d, m, y, rng.randint(0, 9999))
        if s not in used:
            used.add(s)
            return s


def kr(ore):
    sign = "-" if ore < 0 else ""
    ore = abs(ore)
    return "%s%d,%02d" % (sign, ore // 100, ore % 100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, required=True)
    ap.add_argument("--breaks", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("drops")
    a = ap.parse_args()
    files, expected = night(random.Random(a.seed), a.persons, a.breaks)
    rows = 0
    for name, (header, body) in files.items():
        write(a.drops + "/" + name, header, body)
        rows += len(body)
    with open(os.path.join(os.path.dirname(os.path.abspath(a.drops)), "expected-breaks.txt"), "w") as f:
        for c in sorted(x.replace("-", "") for x, _ in expected):
            f.write(c + "\n")
    print("%d input rows" % rows)


def night(rng, persons, breaks, month="2021-02", date="20210205"):
    """The night's files {path under DROPS: (header, rows)} and its breaks
    [(CPR DDMMYY-SSSS, SKAT minus KY in øre)]: PERSONS persons in
    disposition month MONTH (YYYY-MM), BREAKS of them with SKAT's 0014
    off; KY files named for DATE (YYYYMMDD), SKAT's for the month."""
    MONTH, ym, per = month, month.replace("-", ""), month.replace("-", ".")
    used, detail, failed, person = set(), [], [], []
    tot = {"0013": [0, 0], "0014": [0, 0], "0015": [0, 0], "0046": [0, 0], "0047": [0, 0]}
    broken = set(rng.sample(range(persons), breaks))
    expected = []
    for i in range(persons):
        c = cpr(rng, used)
        inc, atp, op = rng.randint(500000, 5000000), rng.randint(0, 99000), rng.randint(0, 99000)
        skat = inc * 37 // 100
        detail.append([MONTH + "-01 18.01.10.100", SE, c, "06", "0041", kr(inc), "0014", "", "",
                       kr(atp), kr(op), MONTH, "", "", "", "BEKRAEFTET"])
        detail.append([MONTH + "-01 18.01.10.100", SE, c, "06", "0041", "", "0015", "0", kr(skat),
                       "", "", MONTH, "", "", "", "BEKRAEFTET"])
        for k, v in (("0014", inc), ("0015", skat), ("0046", atp), ("0047", op)):
            tot[k][0] += v
            tot[k][1] += v
        skat_inc = inc
        if i in broken:
            skat_inc = inc + rng.choice([-1, 1]) * rng.randint(1, 100000)
            tot["0014"][1] += skat_inc - inc
            expected.append((c, skat_inc - inc))
        if i % 50 == 7:
            rej = rng.randint(10000, 900000)
            detail.append([MONTH + "-01 18.01.10.100", SE, c, "06", "0041", kr(rej), "0013", "", "",
                           "", "", MONTH, "", "", "", "AFVIST"])
            failed.append([SE, c, kr(rej), "0013", "", "", "", "", MONTH, "afvist"])
            tot["0013"][0] += rej
        person.append([c, "Person %d" % i, per, per, "0,00", kr(skat_inc), kr(skat),
                       kr(atp), kr(op)])
    return {
    "ky/KY_DetaljerEindkomst_%s_%s.csv" % (SE, date): (
          ["OprettetTidspunkt", "INDBERETTES_FOR_SE", "CPR", "INDKOMSTTYPE", "INDTÆGTSART",
           "INDKOMST_BELOEB", "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT", "ATP_BIDRAG", "OP_BIDRAG",
           "DISPOSITIONSDATO_YYYYMM", "YR_YDELSESKODE", "YR_YDELSESPERIODE_STARTDATO",
           "YR_YDELSESPERIODE_SLUTDATO", "INDBERETNING_STATUS"], detail),
    "ky/KY_DetaljerEindkomstFejlede_%s_%s.csv" % (SE, date): (
          ["INDBERETTES_FOR_SE", "CPR", "INDKOMST_BELOEB", "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT",
           "ATP_BIDRAG", "OP_BIDRAG", "DISPOSITIONSDATO_YYYYMM", "Fejltekst"], failed),
    "ky/KY_SumEindkomst_%s_%s.csv" % (SE, date): (
          ["Dispositionsdato_YYYYMM", "INDBERETTES_FOR_SE", "BeløbPositive", "BeløbNegative",
           "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT", "ATP_BIDRAG", "OP_BIDRAG"],
          [[MONTH, SE, kr(tot["0013"][0]), "0,00", "0013", "", "", "", ""],
           [MONTH, SE, kr(tot["0014"][0]), "0,00", "0014", "", kr(tot["0015"][0]),
            kr(tot["0046"][0]), kr(tot["0047"][0])]]),
    "eindkomst/EIK_Sumoplysninger_%s_%s.csv" % (SE, ym): (
          ["I-SE-nr", "P-SE-nr", "CPR-nr", "Per-start", "Per-slut", "Feltnr 0014", "Feltnr 0015",
           "Feltnr 0046", "Feltnr 0047"],
          [["Flere", SE, "Alle", per, per, kr(tot["0014"][1]), kr(tot["0015"][1]),
            kr(tot["0046"][1]), kr(tot["0047"][1])]]),
    "eindkomst/EIK_SumPrEnhed_%s_%s.csv" % (SE, ym): (
          ["CPR-nr", "Navn", "Per-start", "Per-slut", "Feltnr 0013", "Feltnr 0014", "Feltnr 0015",
           "Feltnr 0046", "Feltnr 0047"], person),
    }, expected


if __name__ == "__main__":
    main()
