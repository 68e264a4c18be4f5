#!/usr/bin/env python3
"""Generates a ky-finans night with known injected breaks.

usage: gen-ky-finans.py SEED DROPS EXPECT

SE 29757895, booking months 2021-01 and 2021-02, night 2021-02-05. KY
'Sum - Finans' books each drift konto of conf/ky-finans.conf against the
clearing konto Mellemregning_NemKonto; the ØS Indsigt dump holds the same
postings with the sides swapped, except:
  - rejected finansbilag (in 'Detaljer - Finans fejlede', not in the ERP):
    explained, no exception;
  - lost postings on a drift account: konto-difference on its ERP account
    and systemfejl on TOTAL;
  - a KY clearing debit that has no counterpart (the report does not total
    0): sumfinans-ikke-0, and the debit is missing in the ERP too;
  - a month without ERP postings: its TOTAL and accounts MANGLER, no exception;
  - in 'Detaljer - Finans' (AFVIST = the failed postings, ACCEPTERET for
    the rest): an AFVIST posting the failed report lacks
    (afviste-ne-fejlede), postings still AFVENTER_SVAR (afventer-svar).
EXPECT gets month;key;code;amount per break, sorted.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genlib import kr, write, write_expect  # noqa: E402

SE = "29757895"


def mapped_konti(conf):
    """(konto, detaljering, ERP account) of every map line, '*' as ''."""
    out = []
    for line in open(conf, encoding="utf-8"):
        w = line.split()
        if w and w[0] == "map":
            out.append((w[1], "" if w[2] == "*" else w[2], w[3]))
    return out


def detail_rows(rnd, mm, failed, expect):
    """'Detaljer - Finans': the failed postings AFVIST, maybe more."""
    month = f"2021-{mm}"
    rows = [r[:3] + [r[4], r[5], r[6], "AFVIST"] for r in failed]
    rows.append([f"ok-{mm}", "", f"{mm}-2021", "D", "Mellemregning NemKonto", "1,00",
                 "ACCEPTERET"])
    if rnd.random() < 0.3:
        v = rnd.randint(1, 100000)
        rows.append([f"lost-{mm}", "", f"{mm}-2021", "D", "x", kr(v), "AFVIST"])
        expect.append((month, "TOTAL", "afviste-ne-fejlede", v))
    if rnd.random() < 0.3:
        v = rnd.randint(1, 100000)
        rows.append([f"wait-{mm}", "", f"{mm}-2021", "D", "x", kr(v), "AFVENTER_SVAR"])
        rows.append([f"wait-{mm}", "", f"{mm}-2021", "K", "x", kr(v), "AFVENTER_SVAR"])
        expect.append((month, "TOTAL", "afventer-svar", v))
    return rows


def month_rows(rnd, mm, konti, expect, erp_on):
    """KY rows, failed rows and ERP postings of one month."""
    ky, failed, erp, clearing_d = [], [], [], 0
    month = f"2021-{mm}"
    lost = {}
    for i, (konto, det, acct) in enumerate(rnd.sample(konti, rnd.randint(3, len(konti)))):
        amount = rnd.randint(100, 500000000)
        ky.append([f"{mm}-2021", f"{mm}-2021", "BSK", konto, det, "NEJ", "", "", "0", kr(amount)])
        clearing_d += amount
        got = amount
        if rnd.random() < 0.25:
            gone = rnd.randint(1, amount)
            got -= gone
            lost[acct] = lost.get(acct, 0) + gone
        if got:
            erp.append([f"28-{mm}-2021", f"KY-{mm}-{i:03d}", acct, konto, kr(got), "", "", "KY"])
            erp.append([f"28-{mm}-2021", f"KY-{mm}-{i:03d}", "8.52.59.005", konto, "",
                        kr(-got), "", "KY"])
    rejected = 0
    for b in range(rnd.randint(0, 3)):
        v = rnd.randint(1, 5000000)
        rejected += v
        for side, text in (("D", "Mellemregning Bankkonto"), ("K", "Mellemregning NemKonto")):
            failed.append([f"bilag-{mm}-{b}", "", f"{mm}-2021", "false", side, text, kr(v)])
    ky_debit = clearing_d + rejected
    clearing_k = rejected
    extra = 0
    if rnd.random() < 0.3:
        extra = rnd.randint(1, 1000000)
        expect.append((month, "SUMFINANS", "sumfinans-ikke-0", extra))
    ky.append([f"{mm}-2021", f"{mm}-2021", "", "Mellemregning_Bankkonto", "", "", "", "",
               kr(rejected + extra), "0"])
    ky.append([f"{mm}-2021", f"{mm}-2021", "", "Mellemregning_NemKonto", "", "", "", "",
               kr(clearing_d), kr(clearing_k)])
    ky_debit += extra
    if not erp_on:	# TOTAL and the accounts are MANGLER: no exception
        return ky, failed, []
    for acct, gone in lost.items():
        expect.append((month, acct, "konto-difference", gone))
    if sum(lost.values()) + extra:
        expect.append((month, "TOTAL", "systemfejl", sum(lost.values()) + extra))
    return ky, failed, erp


def main():
    seed, drops, expect_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rnd = random.Random(seed)
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    konti = mapped_konti(os.path.join(top, "conf", "ky-finans.conf"))
    # konti sharing an ERP account would merge their differences: one each
    seen, unique = set(), []
    for k in konti:
        if k[2] not in seen:
            seen.add(k[2])
            unique.append(k)
    expect, ky, failed, detail, erp = [], [], [], [], []
    for mm in ("01", "02"):
        k, f, e = month_rows(rnd, mm, unique, expect, mm == "01" or rnd.random() < 0.7)
        ky += k
        failed += f
        detail += detail_rows(rnd, mm, f, expect)
        erp += e
    write(f"{drops}/ky/KY_SumFinans_{SE}_20210205.csv",
          "Bogføringsdato_Maaned;YdelsesperiodeMaaned;Omkostningssted;Konto;"
          "Detaljeringskonto;Tilbagebetalingspligt;SE-nummer;Skatteår;Debet;Kredit", ky)
    write(f"{drops}/ky/KY_DetaljerFinansFejlede_{SE}_20210205.csv",
          "Finansbilag_Unikidentifikation;Bilagsreference;Periode;"
          "Er_Accepteret_Af_Bogfoering;DebetKreditIndikator;Posteringstekst;Beløb", failed)
    write(f"{drops}/ky/KY_DetaljerFinans_{SE}_20210205.csv",
          "Finansbilag_Unikidentifikation;Bilagsreference;Periode;DebetKreditIndikator;"
          "Posteringstekst;Beløb;Status", detail)
    write(f"{drops}/erp/ERP_OESINDSIGT_Posteringer_20210205.csv",
          "Bogføringsdato;Bilagsnummer;Artskonto;Posteringstekst;Debet;Kredit;CPR/CVR;Bruger",
          erp)
    write_expect(expect_path, expect)


main()
