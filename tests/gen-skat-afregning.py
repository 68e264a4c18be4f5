#!/usr/bin/env python3
"""Generates a skat-afregning night with known injected breaks.

usage: gen-skat-afregning.py SEED DROPS EXPECT

SE 29757895, months 2021-01 and 2021-02, night 2021-02-10. Writes KY
'Sum - eIndkomst' and 'Detaljer - eIndkomst' (AFVIST lines), a PRISME
posting dump with provisions and settlements, and SKAT's tax account.
Injected, each at random: a settlement that differs by more than the
rejected lines (unexplained), a provision that differs from KY's sum
(hensaettelse-ne-ky), interest not booked in the ERP (rente), a jump in
the tax account's balance (saldo-spring, and the end balance that is
then not 0: saldo-ikke-0), a payment request left unpaid after interest
was paid (saldo-ikke-0). Not breaks: interest booked on its day, or by
the pipeline's voucher on the night (6.45.51 against Afregning SKAT, in
the following month for January). EXPECT gets one line per break the
stage must report: month;key;code;amount.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genlib import kr, write, write_expect  # noqa: E402

SE = "29757895"
MONTHS = ["2021-01", "2021-02"]
KINDS = [("SKAT", "0015", "8.52.59.001", "8.52.59.111"),
         ("AMB", "0016", "8.52.59.002", "8.52.59.112"),
         ("ATP", "0046", "8.52.59.003", "8.52.59.113"),
         ("OP", "0047", "8.52.59.004", "8.52.59.114")]


def provisions(rnd, expect):
    """KY sums, rejected lines and the ERP provisions and settlements."""
    kysum, detail, erp = [], [], []
    for mi, month in enumerate(MONTHS):
        mm, yyyy = month[5:], month[:4]
        day = f"0{mi + 1}-{mm}-{yyyy}"
        amounts = {}
        for key, felt, hens_acc, afr_acc in KINDS:
            ky = rnd.randint(1000, 40000000)
            afvist = rnd.choice([0, rnd.randint(1, ky // 10)])
            hens, afr = ky, ky - afvist
            if rnd.random() < 0.3:
                d = rnd.randint(1, 500000)
                hens += d
                afr += d
                expect.append((month, key, "hensaettelse-ne-ky", d))
            if rnd.random() < 0.3:
                d = rnd.choice([-1, 1]) * rnd.randint(1, 500000)
                afr -= d
                expect.append((month, key, "unexplained", d))
            amounts[felt] = (ky, afvist)
            erp.append(["KY", f"KY-{mi}{felt}", day, hens_acc, "Hensættelse " + key,
                        "DKK", kr(-hens), ""])
            if afr:
                erp.append(["bmn", f"AFR-{mi}{felt}", day, afr_acc, "Afregning " + key,
                            "DKK", kr(afr), ""])
                erp.append(["bmn", f"AFR-{mi}{felt}", day, "8.22.05.001", "Bank",
                            "DKK", kr(-afr), ""])
        kysum.append([month, SE, "100.000,00", "0,00", "0014"] +
                     [kr(amounts[f][0]) for f in ("0016", "0015", "0046", "0047")])
        detail.append([f"{month}-01 10.00.00.000", SE, "0101801234", "06", "0041", "",
                       "0014", kr(amounts["0016"][1]), kr(amounts["0015"][1]),
                       kr(amounts["0046"][1]), kr(amounts["0047"][1]), month, "",
                       "", "", "AFVIST"])
    return kysum, detail, erp


TAX_HEADER = ["Dato", "Postering", "A-skat mindre virksomheder",
              "A-skat mindre virksomheder (Efterangivelse)", "Udbetaling", "Indbetaling",
              "Rykkergebyr", "Rente", "Saldo"]


def tax_row(dato, text, askat="", ind="", rente="", saldo=""):
    return [dato, text, askat, "", "", ind, "", rente, saldo]


def tax_account(rnd, expect, erp):
    """SKAT's tax account: charges paid, maybe interest, maybe a jump."""
    rows, saldo, unpaid, jumped = [tax_row("Startsaldo", "", saldo="0,00")], 0, 0, False
    for mi, month in enumerate(MONTHS):
        mm, yyyy = month[5:], month[:4]
        charge = rnd.randint(100000, 90000000)
        saldo -= charge
        rows.append(tax_row(f"05-{mm}-{yyyy}", "A-skat", askat=kr(-charge), saldo=kr(saldo)))
        saldo += charge
        rows.append(tax_row(f"10-{mm}-{yyyy}", "Indbetaling", ind=kr(charge), saldo=kr(saldo)))
        if not jumped and rnd.random() < 0.4:
            d = rnd.randint(1, 100000)
            saldo += d
            jumped = True
            rows[-1][-1] = kr(saldo)
            expect.append((month, "SKATTEKONTO", "saldo-spring", d))
        if rnd.random() < 0.6:
            r = rnd.randint(1, 50000)
            saldo -= r
            rows.append(tax_row(f"28-{mm}-{yyyy}", "Rente", rente=kr(-r), saldo=kr(saldo)))
            how = rnd.choice(["day", "voucher", "none"])
            if how == "day":
                erp.append(["bmn", f"RENTE-{mi}", f"28-{mm}-{yyyy}", "6.45.51",
                            "Renter skattekonto", "DKK", kr(r), ""])
            elif how == "voucher":
                for acc, v in (("6.45.51", r), ("8.52.59.111", -r)):
                    erp.append(["bmn", f"RV-{mi}", "10-02-2021", acc,
                                f"Renter skattekonto SE {SE} {month}", "DKK", kr(v), ""])
            else:
                expect.append((month, "RENTE", "rente", -r))
            if jumped or rnd.random() < 0.5:
                saldo += r
                rows.append(tax_row(f"28-{mm}-{yyyy}", "Indbetaling", ind=kr(r),
                                    saldo=kr(saldo)))
            else:
                unpaid -= r
    if jumped:
        expect.append((MONTHS[-1], "SKATTEKONTO", "saldo-ikke-0", saldo))
    elif rnd.random() < 0.4:
        u = rnd.randint(1, 100000)
        saldo -= u
        rows.append(tax_row("28-02-2021", "A-skat", askat=kr(-u), saldo=kr(saldo)))
        expect.append((MONTHS[-1], "SKATTEKONTO", "saldo-ikke-0", -u))
    rows.append(tax_row("Slutsaldo", "", saldo=kr(saldo)))
    return rows


def main():
    seed, drops, expect_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rnd = random.Random(seed)
    expect = []
    kysum, detail, erp = provisions(rnd, expect)
    tax = tax_account(rnd, expect, erp)
    write(f"{drops}/ky/KY_SumEindkomst_{SE}_20210210.csv",
          ["Dispositionsdato_YYYYMM", "INDBERETTES_FOR_SE", "BeløbPositive", "BeløbNegative",
           "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT", "ATP_BIDRAG", "OP_BIDRAG"], kysum)
    write(f"{drops}/ky/KY_DetaljerEindkomst_{SE}_20210210.csv",
          ["OprettetTidspunkt", "INDBERETTES_FOR_SE", "CPR", "INDKOMSTTYPE", "INDTÆGTSART",
           "INDKOMST_BELOEB", "INDKOMST_FELTNR", "AM_BIDRAG", "A_SKAT", "ATP_BIDRAG",
           "OP_BIDRAG", "DISPOSITIONSDATO_YYYYMM", "YR_YDELSESKODE",
           "YR_YDELSESPERIODE_STARTDATO", "YR_YDELSESPERIODE_SLUTDATO",
           "INDBERETNING_STATUS"], detail)
    write(f"{drops}/erp/ERP_PRISME_Posteringer_20210210.csv",
          ["Oprettet af", "Bilag", "Dato", "Finanskonto", "Beskrivelse", "Valuta", "Beløb",
           "Ydelsesmodtager"], erp)
    write(f"{drops}/eindkomst/EIK_Skattekonto_{SE}_202102.csv",
          TAX_HEADER, tax)
    write_expect(expect_path, expect)


main()
