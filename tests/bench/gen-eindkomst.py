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

SE = "29757895"
MONTH = "2021-02"


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


def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(";".join(header) + "\n")
        for r in rows:
            f.write(";".join(r) + "\n")
    open(path + ".done", "w").close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, required=True)
    ap.add_argument("--breaks", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("drops")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.drops + "/ky", exist_ok=True)
    os.makedirs(a.drops + "/eindkomst", exist_ok=True)

    used, detail, failed, person = set(), [], [], []
    tot = {"0013": [0, 0], "0014": [0, 0], "0015": [0, 0], "0046": [0, 0], "0047": [0, 0]}
    broken = set(rng.sample(range(a.persons), a.breaks))
    expected = []
    for i in range(a.persons):
        c = cpr(rng, used)
        inc, atp, op = rng.randint(500000, 5000000), rng.randint(0, 99000), rng.randint(0, 99000)
        skat = inc * 37 // 100
        detail.append(["2021-02-01 18.01.10.100", SE, c, "06", "0041", kr(inc), "0014", "", "",
                       kr(atp), kr(op), MONTH, "", "", "", "BEKRAEFTET"])
        detail.append(["2021-02-01 18.01.10.100", SE, c, "06", "0041", "", "0015", "0", kr(skat),
                       "", "", MONTH, "", "", "", "BEKRAEFTET"])
        for k, v in (("0014", inc), ("0015", skat), ("0046", atp), ("0047", op)):
            tot[k][0] += v
            tot[k][1] += v
        skat_inc = inc
        if i in broken:
            skat_inc = inc + rng.choice([-1, 1]) * rng.randint(1, 100000)
            tot["0014"][1] += skat_inc - inc
            expected.append(c)
        if i % 50 == 7:
            rej = rng.randint(10000, 900000)
            detail.append(["2021-02-01 18.01.10.100", SE, c, "06", "0041", kr(rej), "0013", "", "",
                           "", "", MONTH, "", "", "", "AFVIST"])
            failed.append([SE, c, kr(rej), "0013", "", "", "", "", MONTH, "afvist"])
            tot["0013"][0] += rej
        person.append([c, "Person %d" % i, "2021.02", "2021.02", "0,00", kr(skat_inc), kr(skat),
                       kr(atp), kr(op)])

    write(a.drops + "/ky/KY_DetaljerEindkomst_%s_20210205.csv" % SE,
          ["OprettetTidspunkt", "INDBERETTES_FOR_SE", "CPR", "INDKOMSTTYPE", "INDTÆGTSART",
           "INDKOMST_BELOEB", "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT", "ATP_BIDRAG", "OP_BIDRAG",
           "DISPOSITIONSDATO_YYYYMM", "YR_YDELSESKODE", "YR_YDELSESPERIODE_STARTDATO",
           "YR_YDELSESPERIODE_SLUTDATO", "INDBERETNING_STATUS"], detail)
    write(a.drops + "/ky/KY_DetaljerEindkomstFejlede_%s_20210205.csv" % SE,
          ["INDBERETTES_FOR_SE", "CPR", "INDKOMST_BELOEB", "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT",
           "ATP_BIDRAG", "OP_BIDRAG", "DISPOSITIONSDATO_YYYYMM", "Fejltekst"], failed)
    write(a.drops + "/ky/KY_SumEindkomst_%s_20210205.csv" % SE,
          ["Dispositionsdato_YYYYMM", "INDBERETTES_FOR_SE", "BeløbPositive", "BeløbNegative",
           "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT", "ATP_BIDRAG", "OP_BIDRAG"],
          [[MONTH, SE, kr(tot["0013"][0]), "0,00", "0013", "", "", "", ""],
           [MONTH, SE, kr(tot["0014"][0]), "0,00", "0014", "", kr(tot["0015"][0]),
            kr(tot["0046"][0]), kr(tot["0047"][0])]])
    write(a.drops + "/eindkomst/EIK_Sumoplysninger_%s_202102.csv" % SE,
          ["I-SE-nr", "P-SE-nr", "CPR-nr", "Per-start", "Per-slut", "Feltnr 0014", "Feltnr 0015",
           "Feltnr 0046", "Feltnr 0047"],
          [["Flere", SE, "Alle", "2021.02", "2021.02", kr(tot["0014"][1]), kr(tot["0015"][1]),
            kr(tot["0046"][1]), kr(tot["0047"][1])]])
    write(a.drops + "/eindkomst/EIK_SumPrEnhed_%s_202102.csv" % SE,
          ["CPR-nr", "Navn", "Per-start", "Per-slut", "Feltnr 0013", "Feltnr 0014", "Feltnr 0015",
           "Feltnr 0046", "Feltnr 0047"], person)
    with open(os.path.join(os.path.dirname(os.path.abspath(a.drops)), "expected-breaks.txt"), "w") as f:
        for c in sorted(x.replace("-", "") for x in expected):
            f.write(c + "\n")
    print("%d input rows" % (len(detail) + len(failed) + 2 + 1 + len(person)))


if __name__ == "__main__":
    main()
