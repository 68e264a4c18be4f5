#!/usr/bin/env python3
"""What the demo night (fixtures/demo) must show, from the worked examples.

usage: tests/demo-golden.py DIR [OUT]
  writes, for every reconciliation RECON:
  DIR/summary/RECON.csv  the example's golden summary, its months moved as
                         fixtures/demo/make.py moved the example (what
                         tests/golden/demo/summary/ holds, read and committed)
  DIR/want/RECON         the example's golden exceptions, months moved, as
                         "month;key;amount;reason" lines, sorted
  DIR/have/RECON         the same of OUT/exceptions/RECON.csv (OUT: the
                         night's output directory), when OUT is given
  Ids, ages, first_seen and CPR numbers are left out of the exceptions:
  they name the night and (EASY-A) the moved birth dates.
"""
import os
import sys

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")

# recon: (the example's golden summary, its exceptions, months moved)
EXAMPLES = {
    "ky-eindkomst": ("guide-eindkomst/summary.csv", "guide-eindkomst/exceptions.csv", 52),
    "skat-afregning": ("guide-skat-afregning/summary.csv",
                       "guide-skat-afregning/exceptions.csv", 52),
    "ky-finans": ("guide-finans/summary.csv", "guide-finans/exceptions.csv", 52),
    "ky-yr": ("guide-yr/summary.csv", "guide-yr/exceptions.csv", 52),
    "nemkonto": ("guide-nemkonto/summary.csv", "guide-nemkonto/exceptions.csv", 43),
    "debitor": ("guide-debitor/summary-2021-06-30.csv",
                "guide-debitor/exceptions-2021-06-30.csv", 48),
    "faktura": ("faktura-example/summary.csv", "faktura-example/exceptions.csv", 43),
    "opkraevning": ("easy-a/summary.csv", "easy-a/exceptions.csv", 3),
    "mellemkommunal-refusion": (
        "refusion-herlev/2025-06-30/summary/mellemkommunal-refusion.csv",
        "refusion-herlev/2025-06-30/exceptions/mellemkommunal-refusion.csv", 0),
    "mellemkommunal-refusion-ind": (
        "refusion-herlev/2025-09-30/summary/mellemkommunal-refusion-ind.csv",
        "refusion-herlev/2025-09-30/exceptions/mellemkommunal-refusion-ind.csv", 0),
    "betalingsplaner": ("betalingsplaner/2025-03-31/summary.csv",
                        "betalingsplaner/2025-03-31/exceptions.csv", 3),
}


def month(m, n):
    k = int(m[:4]) * 12 + int(m[5:7]) - 1 + n
    return "%04d-%02d" % (k // 12, k % 12 + 1)


def lines(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return f.read().split("\n")


def summary(recon):
    path, _, n = EXAMPLES[recon]
    out = lines(os.path.join(GOLDEN, path))
    for i in range(1, len(out)):
        if out[i]:
            c = out[i].split(";")
            c[2] = month(c[2], n)
            out[i] = ";".join(c)
    return b"\xef\xbb\xbf" + "\n".join(out).encode()


def exceptions(rows, n):
    head = rows[0].split(";")
    out = []
    for r in rows[1:]:
        if r:
            c = dict(zip(head, r.split(";")))
            out.append(";".join((month(c["month"], n), c["key"], c["amount"],
                                 c["reason"].split(":")[0])))
    return "".join(r + "\n" for r in sorted(out)).encode()


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    d = sys.argv[1]
    for sub in ("summary", "want", "have"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    for recon, (_, exc, n) in EXAMPLES.items():
        with open(os.path.join(d, "summary", recon + ".csv"), "wb") as f:
            f.write(summary(recon))
        with open(os.path.join(d, "want", recon), "wb") as f:
            f.write(exceptions(lines(os.path.join(GOLDEN, exc)), n))
        if len(sys.argv) == 3:
            with open(os.path.join(d, "have", recon), "wb") as f:
                f.write(exceptions(lines(os.path.join(sys.argv[2], "exceptions",
                                                      recon + ".csv")), 0))


if __name__ == "__main__":
    main()
