#!/usr/bin/env python3
"""Generates a faktura night (2021-11-30) with known injected breaks.

usage: gen-faktura.py SEED DROPS EXPECTED [N]  (N approved invoices, default 40)

Approved eInvoices on a few KY accounts and cost centres, each paid by a
ledger posting on '<account>-<cost centre>' a few days after KY's
decision; KY's posting basis per account. Injected once each: an approved
invoice never paid, one paid on another account, one on another cost
centre (and another invoice of its amount on that account), two rejected
invoices (one paid anyway) and a technical failure.
EXPECTED gets 'reason;key;amount' per exception the stage must report
(including the per-account differences the injections cause), sorted.
"""
import os
import random
import sys

ACCOUNTS = ["5.57.73.007", "5.57.73.009", "5.57.75.001"]


def money(ore):
    kr, o = divmod(abs(ore), 100)
    return "%s%s,%02d" % ("-" if ore < 0 else "", "{:,}".format(kr).replace(",", "."), o)


def plain(ore):
    return "%s%d,%02d" % ("-" if ore < 0 else "", abs(ore) // 100, abs(ore) % 100)


def cvr(rnd):
    while True:
        c = "%08d" % rnd.randint(10000000, 99999999)
        if sum(int(a) * b for a, b in zip(c, [2, 7, 6, 5, 4, 3, 2, 1])) % 11 == 0:
            return c


def main():
    seed, drops, expected = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    files, exp = night(random.Random(seed), size)
    os.makedirs(drops + "/ky", exist_ok=True)
    os.makedirs(drops + "/erp", exist_ok=True)
    for name, lines in files.items():
        open(drops + "/" + name, "w").write("\n".join(lines) + "\n")
        open(drops + "/" + name + ".done", "w").close()
    with open(expected, "w") as f:
        f.write("".join(line + "\n" for line in sorted(";".join(e) for e in exp)))


def night(rnd, size, month="2021-11", date="20211130"):
    """The night's files {path under DROPS: lines with header} and its
    breaks [(reason, key, amount)]: SIZE approved invoices decided in MONTH
    (YYYY-MM, days 1-24, paid up to 6 days later), files named for DATE."""
    used = set()

    def amount():
        while True:
            a = rnd.randint(10000, 3000000)
            if a not in used:
                used.add(a)
                return a

    inv, posts, exp = [], [], []
    for i in range(size):
        acc, cc, day = rnd.choice(ACCOUNTS), rnd.choice(["110", "120"]), rnd.randint(1, 24)
        inv.append(("GODKENDT", "g%04d" % i, acc, cc, day, amount()))
    # the fourth has the amount of the one paid on another account, on that
    # account: it keeps its own payment, the other finds the one left
    other = [x for x in ACCOUNTS if x != inv[1][2]][0]
    inv[3] = inv[3][:2] + (other,) + inv[3][3:5] + (inv[1][5],)
    for n, (_, ident, acc, cc, day, a) in enumerate(inv):
        pay_acc, pay_cc = acc, cc
        if n == 0:
            exp.append(("mangler-i-erp", "GODKENDT", plain(a)))
            continue
        if n == 1:
            pay_acc = [x for x in ACCOUNTS if x != acc][0]
            exp.append(("forkert-konto", "GODKENDT", plain(a)))
        if n == 2:
            pay_cc = "130"
            exp.append(("forkert-omkostningssted", "GODKENDT", plain(a)))
        posts.append(("FAK-%08d" % n, day + rnd.randint(0, 5), pay_acc + "-" + pay_cc, a))
    rejected = [("AFVIST", "a%04d" % i, rnd.choice(ACCOUNTS), "110", rnd.randint(1, 24), amount())
                for i in range(2)]
    paid = rejected[0]
    posts.append(("FAK-09000000", paid[4] + 1, paid[2] + "-110", paid[5]))
    exp += [("afvist", "AFVIST", plain(r[5])) for r in rejected]
    exp.append(("afvist-men-betalt", "AFVIST", plain(paid[5])))
    failed = ("TEKNISK_FEJL", "t0001", ACCOUNTS[0], "110", 20, amount())
    exp.append(("teknisk-fejl", "TEKNISK_FEJL", plain(failed[5])))
    for acc in ACCOUNTS:
        ky = sum(a for _, _, x, _, _, a in inv if x == acc)
        erp = sum(a for _, _, x, a in posts if x.startswith(acc + "-"))
        if ky != erp:
            exp.append(("konto-difference", acc, plain(ky - erp)))
    return files(rnd, inv, rejected, failed, posts, month, date), exp


def files(rnd, inv, rejected, failed, posts, month, date):
    yyyy, mm = month.split("-")
    head = "Faktura_Unikidentifikation;Fakturanummer;CVR;CPR;Beløb;Beslutning;Beslutningsdato;Konto;Omkostningssted"
    files = {}

    def row(r):
        kind, ident, acc, cc, day, a = r
        return "%s;%s;%s;%02d%02d7%d-%04d;%s;%s;%s-%02d;%s;%s" % (
            ident, ident.upper(), cvr(rnd), rnd.randint(1, 28), rnd.randint(1, 12),
            rnd.randint(0, 9), rnd.randint(0, 9999), money(a),
            kind if kind != "TEKNISK_FEJL" else "", month, day, acc, cc)

    files["ky/KY_GodkendteEfakturaer_29757895_%s.csv" % date] = [head] + [row(r) for r in inv]
    files["ky/KY_AfvisteEfakturaer_29757895_%s.csv" % date] = [head] + [row(r) for r in rejected]
    files["ky/KY_EfakturaTekniskFejl_29757895_%s.csv" % date] = [head, row(failed)]
    basis = ["Bogføringsdato_Maaned;DebetKreditIndikator;Tilbagebetalingspligt;Konto;"
             "Registreringskonto;Omkostningssted;OrganisatoriskReference;Beløb"]
    for acc in ACCOUNTS:
        basis.append("%s;D;N;%s;;;Job og Afklaring;%s" % (
            month, acc, money(sum(a for _, _, x, _, _, a in inv if x == acc))))
    files["ky/KY_SumPosteringsgrundlagFaktura_29757895_%s.csv" % date] = basis
    erp = ["Oprettet af;Bilag;Dato;Finanskonto;Beskrivelse;Valuta;Beløb;Ydelsesmodtager"]
    erp += ["FAKTURA;%s;%02d-%s-%s;%s;Faktura;DKK;%s;" % (b, d, mm, yyyy, acc, money(a))
            for b, d, acc, a in posts]
    files["erp/ERP_PRISME_Posteringer_%s.csv" % date] = erp
    return files


if __name__ == "__main__":
    main()
