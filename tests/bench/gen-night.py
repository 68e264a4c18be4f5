#!/usr/bin/env python3
"""Generates a whole municipality night over all sources (seeded) and its
answer key.

    gen-night.py --rows N --seed S DIR

The night is 2021-08-31 (SE 29757895, conf/pipeline.conf's file names).
About N input rows in all, built by the per-reconciliation generators on
one date, so the files two of them share (PRISME's posting dump: NemKonto
payments and paid invoices) are one file:
  - ky-eindkomst (tests/bench/gen-eindkomst.py): KY's detail, failed and
    sum reports, SKAT's Sumoplysninger and Sum pr. enhed, month 2021-08;
  - nemkonto (tests/gen-nemkonto.py): KY's payments and their sum, the
    account's postings, month 2021-08, the payment in transit on the 30th;
  - faktura (tests/gen-faktura.py): eInvoice decisions of 2021-08, the
    posting basis and the payments;
  - debitor (tests/gen-debitor.py): claims May-August, the restance
    account, the Råbalance of the night;
Each generator injects every kind of break its matcher knows (see its own
comment). Not generated yet: skat-afregning and ky-yr read KY's eIndkomst
reports too, and their generators' figures would break ky-eindkomst's;
ky-finans's TOTAL compares KY's debits with every ERP debit of the month
(a night reads one posting dump), so its generator must learn the dump's
other postings first.

Writes DIR/drops/ (the drops directory of the night) and DIR/expected/
RECON.txt: the exceptions RECON must report, sorted bytewise, in the
columns of exceptions/RECON.csv the per-recon generators give ('reason'
is the word before the ':', amounts with a decimal comma):
  nemkonto, faktura, debitor  reason;key;amount
  ky-eindkomst                reason;key;cpr;amount
Prints the number of input rows per source.
"""
import argparse
import importlib.util
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, TESTS)
from genlib import kr  # noqa: E402

NIGHT, MONTH, DATE = "2021-08-31", "2021-08", "20210831"


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("dir")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    n = max(a.rows, 1000)
    # rows a unit brings: a person 3 (2 KY, 1 SKAT), a recipient about 5, an invoice
    # 2, a claim about 1.5
    persons, recipients = n * 40 // 100 // 3, n * 30 // 100 // 5
    invoices, claims = n * 15 // 100 // 2, n * 15 // 100 * 2 // 3
    files, expect = {}, {}
    e, eb = load(HERE + "/gen-eindkomst.py").night(
        random.Random(rnd.random()), persons, max(3, persons // 2000), MONTH, DATE)
    files["ky-eindkomst"] = e
    # KY minus SKAT per person, and their sum unexplained on the month
    expect["ky-eindkomst"] = [("cpr-difference", "0014", c.replace("-", ""), kr(-d, dots=False))
                              for c, d in eb]
    expect["ky-eindkomst"].append(("unexplained", "0014", "", kr(-sum(d for _, d in eb), dots=False)))
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
    os.makedirs(a.dir + "/expected", exist_ok=True)
    for recon, lines in expect.items():
        with open("%s/expected/%s.txt" % (a.dir, recon), "w") as fh:
            for line in sorted((";".join(x) for x in lines), key=lambda s: s.encode()):
                fh.write(line + "\n")
    print("%-14s %9d rows" % ("total", sum(len(v[1]) for v in out.values())))


if __name__ == "__main__":
    main()
