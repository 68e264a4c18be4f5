#!/usr/bin/env python3
"""Generates a ky-yr night with known injected breaks.

usage: gen-ky-yr.py SEED DROPS EXPECT

SE 29757895, disposition months 2021-01 and 2021-02, night 2021-02-05.
'Detaljer - eIndkomst' lines (BEKRAEFTET and AFVIST, with contribution
lines that must not count) per YR ydelseskode; 'Sum - Ydelsesrefusion'
sums them, except where a break is injected:
  - a code's YR sum off by an amount: unexplained;
  - a code in eIndkomst that YR lacks: unexplained (minus its lines);
  - the municipality's ATP/OP share differing from account 8.51.52:
    andel-difference.
Not a break: the refund booked on 8.51.52 too (guide 2.2.2), outside KY.
EXPECT gets month;key;code;amount per break, sorted.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genlib import kr, write, write_expect  # noqa: E402

SE = "29757895"
ANDEL = "5d2c9a40-8e3b-4f71-a6c2-0b9e7d1f3a58"


def uuid(rnd):
    h = "".join(rnd.choice("0123456789abcdef") for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def detail_line(month, cpr, felt, amount, code, status, atp=""):
    return [f"{month}-01 10.00.00.000", SE, cpr, "06", "0041", kr(amount, False), felt,
            "", "", atp, "", month, code, "", "", status]


def month_rows(rnd, month, expect):
    detail, yr, erp = [], [], []
    for _ in range(rnd.randint(2, 5)):
        code = uuid(rnd)
        total = 0
        for p in range(rnd.randint(1, 6)):
            cpr = f"0{rnd.randint(1, 9)}0{rnd.randint(1, 9)}8{rnd.randint(0, 9)}{rnd.randint(1000, 9999)}"
            amount = rnd.randint(-50000, 5000000)
            status = "AFVIST" if rnd.random() < 0.2 else "BEKRAEFTET"
            detail.append(detail_line(month, cpr, "0014", amount, code, status,
                                      atp=kr(rnd.randint(1, 20000), False)))
            detail.append(detail_line(month, cpr, "0015", rnd.randint(1, 90000), code, status))
            total += amount
        if rnd.random() < 0.15:
            expect.append((month, code, "unexplained", -total))
            continue
        if rnd.random() < 0.25:
            d = rnd.choice([-1, 1]) * rnd.randint(1, 100000)
            total += d
            expect.append((month, code, "unexplained", d))
        pos = max(total, 0) + 100
        yr.append([month, SE, code, kr(pos), kr(total - pos)])
    andel = rnd.randint(1000, 2000000)
    yr.append([month, SE, ANDEL, kr(andel), "0,00"])
    booked = andel
    if rnd.random() < 0.3:
        booked -= rnd.randint(1, 50000)
        expect.append((month, "ANDEL-ATP-OP", "andel-difference", andel - booked))
    erp.append(["KY", f"KY-{month}", f"02-{month[5:]}-2021", "8.51.52.100",
                "Kommunens andel ATP og OP", "DKK", kr(booked), ""])
    if rnd.random() < 0.5:
        erp.append(["bmn", f"REF-{month}", f"04-{month[5:]}-2021", "8.51.52.190",
                    "Refusion andel ATP og OP", "DKK", kr(-rnd.randint(1, 2000000)), ""])
    return detail, yr, erp


def main():
    seed, drops, expect_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rnd = random.Random(seed)
    expect, detail, yr, erp = [], [], [], []
    for month in ("2021-01", "2021-02"):
        d, y, e = month_rows(rnd, month, expect)
        detail += d
        yr += y
        erp += e
    write(f"{drops}/ky/KY_DetaljerEindkomst_{SE}_20210205.csv",
          "OprettetTidspunkt;INDBERETTES_FOR_SE;CPR;INDKOMSTTYPE;INDTÆGTSART;INDKOMST_BELOEB;"
          "INDKOMST_FELTNR;AM_BIDRAG;A_SKAT;ATP_BIDRAG;OP_BIDRAG;DISPOSITIONSDATO_YYYYMM;"
          "YR_YDELSESKODE;YR_YDELSESPERIODE_STARTDATO;YR_YDELSESPERIODE_SLUTDATO;"
          "INDBERETNING_STATUS", detail, encoding="cp1252")
    write(f"{drops}/ky/KY_SumYdelsesrefusion_{SE}_20210205.csv",
          "Dispositionsdato_YYYYMM;INDBERETTES_FOR_SE;YR_YDELSESKODE;BeløbPositive;"
          "BeløbNegative", yr)
    write(f"{drops}/erp/ERP_PRISME_Posteringer_20210205.csv",
          "Oprettet af;Bilag;Dato;Finanskonto;Beskrivelse;Valuta;Beløb;Ydelsesmodtager", erp)
    write_expect(expect_path, expect)


main()
