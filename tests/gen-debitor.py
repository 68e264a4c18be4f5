#!/usr/bin/env python3
"""Generates a debitor night (2021-08-31) with known injected breaks.

usage: gen-debitor.py SEED DROPS EXPECTED [N]  (N claims, default 60)

Claims created May-August, some accepted in July or August and posted on
the restance account (928148001) that day or the next (one accepted 31-07
and posted 01-08: it pairs across the month end); coverings and
write-offs from the debtor system with their credits; 'Sum -
Debitorregistreringer' per creation month; the Råbalance of 2021-08-31.
Postings name the person (Ydelsesmodtager: the CPR's DDMM). Injected,
once each: an accepted claim never posted (its amount posted the same day
for another person), a restance debit no claim explains, a covering never
posted, a sum report off by an amount, two rejected claims, a debtor
group's clearing balance (928148012) to transfer, and a clearing account
that misses an amount. EXPECTED gets 'reason;key;amount' per exception
the stage must report, sorted.
"""
import random
import sys


def money(ore):
    s = "-" if ore < 0 else ""
    kr, o = divmod(abs(ore), 100)
    return "%s%s,%02d" % (s, "{:,}".format(kr).replace(",", "."), o)


def plain(ore):
    return "%s%d,%02d" % ("-" if ore < 0 else "", abs(ore) // 100, abs(ore) % 100)


def main():
    seed, drops, expected = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 60
    files, exp = night(random.Random(seed), size)
    import os
    os.makedirs(drops + "/ky", exist_ok=True)
    os.makedirs(drops + "/erp", exist_ok=True)
    for name, (lines, enc) in files.items():
        open(drops + "/" + name, "w", encoding=enc).write("\n".join(lines) + "\n")
        open(drops + "/" + name + ".done", "w").close()
    with open(expected, "w") as f:
        f.write("".join(line + "\n" for line in sorted(";".join(e) for e in exp)))


def night(rnd, size):
    """The night of 2021-08-31: its files {path under DROPS: (lines with
    header, encoding)} and breaks [(reason, key, amount)] of SIZE claims."""
    amount = lambda: rnd.randint(10000, 1500000)
    claims, debits, credits, events, exp = [], [], [], [], []
    for i in range(size):
        created = (rnd.choice([5, 6, 7, 8]), rnd.randint(1, 20))
        cpr = "%02d%02d8%d-%04d" % (rnd.randint(1, 28), rnd.randint(1, 12), rnd.randint(0, 9), i % 10000)
        c = {"id": "c-%04d" % i, "created": created, "cpr": cpr, "amount": amount(),
             "status": "AFVENTER_FRIGIVELSE", "done": None}
        m = rnd.choice([7, 8])
        if rnd.random() < 0.6 and m >= created[0]:
            d = rnd.randint(created[1] if m == created[0] else 1, 31 if m == 7 else 30)
            c["status"], c["done"] = "ACCEPTERET", (m, d)
        claims.append(c)
    accepted = [c for c in claims if c["status"] == "ACCEPTERET"]
    july = [c for c in accepted[1:] if c["created"][0] <= 7]
    july[0]["done"] = (7, 31)
    for c in accepted[1:]:
        m, d = c["done"][0], c["done"][1] + (1 if c is july[0] else rnd.randint(0, 1))
        if d > 31:      # the next day is in August
            m, d = m + 1, 1
        debits.append((m, d, c["amount"], c["cpr"][:4]))
    lost = accepted[0]
    exp.append(("mangler-i-erp", "KY->DEBITOR", plain(lost["amount"])))
    # the lost claim's amount, the same day, posted for another person
    debits.append((lost["done"][0], lost["done"][1], lost["amount"], "0000"))
    exp.append(("ukendt-postering", "KY->DEBITOR", plain(lost["amount"])))
    stray = amount()
    debits.append((8, 20, stray, ""))
    exp.append(("ukendt-postering", "KY->DEBITOR", plain(stray)))
    for i, c in enumerate(accepted[1:12]):
        kind = rnd.choice(["DAEKNING", "AFSKRIVNING", "NEDREGULERING"])
        a = rnd.randint(100, c["amount"])
        d = (rnd.choice([7, 8]), rnd.randint(1, 27))
        events.append((c, kind, d, a))
        if i:
            credits.append((d[0], d[1], -a, c["cpr"][:4]))
        else:
            exp.append(("mangler-i-erp", "DEBITOR->KY", plain(a)))
    sums = {}
    for c in accepted:
        sums[c["created"][0]] = sums.get(c["created"][0], 0) + c["amount"]
    sums[6] = sums.get(6, 0) + 12345
    exp.append(("sum-ne-detaljer", "SUM-REGISTRERINGER", plain(12345)))
    rejected = [(amount(), "Services er midlertidig lukket for anvendelse"),
                (amount(), "Debitor findes ikke")]
    exp += [("afvist", "KY->DEBITOR", plain(a)) for a, _ in rejected]
    start = 5000000
    restance = start + sum(p[2] for p in debits + credits)
    group, missing = -rnd.randint(1000, 90000), rnd.randint(100, 5000)
    common = -(restance + group) - missing
    exp.append(("debitorgruppe-overfoersel", "MELLEMREGNING", plain(group)))
    exp.append(("unexplained", "MELLEMREGNING", plain(-missing)))
    return write(claims, rejected, sums, events, debits, credits, restance, common, group), exp


def write(claims, rejected, sums, events, debits, credits, restance, common, group):
    files = {}

    def out(name, lines, enc="utf-8"):
        files[name] = (lines, enc)

    head = ("Fordring_Unikidentifikation;OprettetDatoTid;CPR;Ydelse;BehandlingDatoTid;Status;"
            "FordringBeløb")
    rows = [head]
    for c in claims:
        done = "2021-%02d-%02d 20:01:15.018" % c["done"] if c["done"] else ""
        rows.append("%s;2021-%02d-%02d 10:00:00.0;%s;HTF_KONTANT;%s;%s;%s" % (
            c["id"], c["created"][0], c["created"][1], c["cpr"], done, c["status"],
            plain(c["amount"])))
    out("ky/KY_DetaljerDebitor_29757895_20210831.csv", rows)
    rows = [head.replace("Status;", "Svarresultat;") + ";KvitteringAarsagTitel;LokalAarsagsTekst"]
    for i, (a, why) in enumerate(rejected):
        rows.append("r-%d;2021-08-%02d 09:00:00.0;0101900-%03d;HTF_KONTANT;;AFVIST;%s;%s;" % (
            i, 10 + i, i, plain(a), why))
    rows = [r.replace("0101900-", "010190-0") for r in rows]
    out("ky/KY_DetaljerDebitorFejlede_29757895_20210831.csv", rows)
    rows = ["OprettetDatoTid_Maaned;DebitorKonto.OrganisatoriskReference;Status;FordringBeløb"]
    rows += ["2021-%02d;Job og Afklaring;ACCEPTERET;%s" % (m, plain(a)) for m, a in sorted(sums.items())]
    out("ky/KY_SumDebitorregistreringer_29757895_20210831.csv", rows)
    rows = ["Fordring_Unikidentifikation;CPR;Haendelse;Haendelsesdato;Beløb"]
    rows += ["%s;%s;%s;2021-%02d-%02d;%s" % (c["id"], c["cpr"], k, d[0], d[1], plain(a))
             for c, k, d, a in events]
    out("ky/KY_AfstemningFordringer_29757895_20210831.csv", rows)
    rows = ["Kladdenummer;Bilag;Dato;Beløb i rapporteringsvaluta;Beskrivelse;Ydelsesmodtager"]
    for i, (m, d, a, who) in enumerate(sorted(debits + credits)):
        rows.append("AAK-%09d;FAK-%08d;%02d-%02d-2021;%s;Faktura;%s" % (i, i, d, m, money(a), who))
    out("erp/ERP_PRISME_Kontostreng_928148001_20210831.csv", rows, "cp1252")
    rows = ["Økonomisk dimension;Navn;Slutsaldo",
            "928148001;Debitor - restancekonto-KY;%s" % money(restance),
            "928148002;Debitor - mellemregning-KY;%s" % money(common),
            "928148012;Debitor - mellemregning-KY gruppe 2;%s" % money(group)]
    out("erp/ERP_PRISME_Raabalance_20210831.csv", rows, "cp1252")
    return files


if __name__ == "__main__":
    main()
