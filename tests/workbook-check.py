#!/usr/bin/env python3
"""Reads OUT/DATE/afstemning.xlsx back with openpyxl and checks it against
the night's CSV files and conf/terms.conf (tests/t0640-workbook.sh).

    workbook-check.py night XLSX OUTDIR masked|full RECON...
    workbook-check.py decisions XLSX OUTDIR ID-DECIDED ID-FLAGGED ID-REOPENED
    workbook-check.py lists XLSX OUTDIR RECON ["TITLE=ROWS[:SUM]"]...
        the lists and rates of conf/report.conf in RECON's sheet against
        the night's files (and each TITLE's row count and sum: column, kr)

Exit 0 when every check holds; else the failures on stdout, exit 1.
"""
import csv
import datetime
import os
import re
import shlex
import sys
from decimal import Decimal

import openpyxl
from openpyxl.utils import get_column_letter

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
    return cond


def load_terms(path):
    cols, words = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            w = shlex.split(line, comments=True)
            if not w:
                continue
            if w[0] == "column":
                cols[(w[1], w[2])] = (w[3], w[4])
            elif w[0] == "reason":
                words[("reason", w[1], w[2])] = w[3]
            else:
                words[(w[0], w[1])] = w[2]
    return cols, words


COLS, WORDS = load_terms(os.path.join(TOP, "conf", "terms.conf"))
# an exception's marker word -> its state (pipeline/match/openexc.h)
STATES = {WORDS[("label", "state-" + k)]: k for k in ("open", "explained", "detail", "decided")}


def load_report_conf(path):
    """conf/report.conf: labels per recon, lists and rates (reportconf.h)."""
    labels, lists, rates = {}, [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            w = shlex.split(line, comments=True)
            if not w:
                continue
            if w[0] == "recon":
                labels[w[1]] = dict(zip(w[2::2], w[3::2]))
            elif w[0] == "list":
                i = w.index("columns")
                where = [w[k + 1] for k in range(5, i, 2)]
                lists.append((w[1], w[2], w[4], where, w[i + 1:]))
            elif w[0] == "rate":
                rates.append((w[1], w[2], w[4].partition("=")[2] or w[4]))
    return labels, lists, rates


LABELS, LISTS, RATES = load_report_conf(os.path.join(TOP, "conf", "report.conf"))


def column(kind, name):
    return COLS.get((kind, name)) or COLS.get(("*", name)) or (name, "text")


def read_csv(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def ore(s):
    neg = s.startswith("-")
    kr, _, dec = s.lstrip("-").partition(",")
    v = int(kr) * 100 + int((dec + "00")[:2])
    return -v if neg else v


CPR10 = re.compile(r"(?<![0-9])([0-9]{6})-?([0-9]{4})(?![0-9])")


def cpr_date_ok(d6):
    dd, mm = int(d6[:2]), int(d6[2:4])
    return 1 <= mm <= 12 and 1 <= dd <= 31 + 60


def masked_text(s, cpr_col):
    """What a masked cell shows: a cpr column's 10 digits always, and in
    text any CPR-shaped run with a CPR date."""
    if cpr_col and re.fullmatch(r"[0-9]{10}|[0-9]{6}-[0-9]{4}", s):
        return s[:6] + "-xxxx"
    return CPR10.sub(lambda m: m.group(1) + "-xxxx" if cpr_date_ok(m.group(1))
                     and not re.search(r"[0-9a-f]{16}", s) else m.group(0), s)


def reason_parts(s):
    m = re.match(r"([a-z0-9-]+): ", s)
    code, rest = (m.group(1), s[m.end():]) if m else ("", s)
    dan, sep, eng = rest.partition(" / ")
    tail = eng if sep else rest
    note = ""
    if tail.endswith(")"):
        depth = 0
        for i in range(len(tail) - 1, -1, -1):
            if tail[i] == ")":
                depth += 1
            elif tail[i] == "(":
                depth -= 1
                if depth == 0:
                    if i > 0 and tail[i - 1] == " ":
                        note = tail[i + 1:-1]
                        if not sep:
                            dan = tail[:i - 1]
                    break
    return code, dan, note


def expect_cell(cell, kind, name, value, mask, where):
    """The cell of CSV value in column name of file kind."""
    _, typ = column(kind, name)
    if value == "":
        return check(cell.value is None, "%s %s: blank, got %r" % (where, name, cell.value))
    if typ == "amount":
        v = ore(value)
        ok = check(isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool),
                   "%s %s: a number, got %r" % (where, name, cell.value))
        ok = ok and check(cell.value == v / 100 and
                          Decimal(repr(float(cell.value))) == Decimal(v) / 100,
                          "%s %s: %r, want exactly %s" % (where, name, cell.value,
                                                          Decimal(v) / 100))
        return ok and check(cell.number_format == "#,##0.00",
                            "%s %s: format %s" % (where, name, cell.number_format))
    if typ == "integer":
        return check(cell.value == int(value) and cell.number_format == "0",
                     "%s %s: %r (%s), want %s" % (where, name, cell.value, cell.number_format,
                                                  value))
    if typ == "date":
        want = datetime.datetime.strptime(value, "%Y-%m-%d")
        return check(cell.is_date and cell.value == want and cell.number_format ==
                     "dd-mm-yyyy", "%s %s: %r (%s), want the date %s" %
                     (where, name, cell.value, cell.number_format, value))
    if typ == "datetime":
        want = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        return check(cell.is_date and cell.value == want, "%s %s: %r, want %s" %
                     (where, name, cell.value, value))
    if typ == "status":
        want = WORDS[("status", value.upper())]
        return check(cell.value == want, "%s %s: %r, want the status word %r" %
                     (where, name, cell.value, want))
    want = masked_text(value, typ == "cpr") if mask else value
    return check(cell.data_type == "s" and cell.value == want and cell.number_format == "@",
                 "%s %s: %r (%s, %s), want the text %r" %
                 (where, name, cell.value, cell.data_type, cell.number_format, want))


def row_values(ws, r):
    return [c.value for c in ws[r]]


def find_row(ws, text, col=1):
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, col).value == text:
            return r
    return None


def decision_stands(d):
    return d is not None and d["decision"] != "genaabnet" and d["review"] == ""


def check_sheet(wb, out, recon, mask):
    ws = wb[recon]
    where = recon
    exc = read_csv(os.path.join(out, "exceptions", recon + ".csv"))
    summ = read_csv(os.path.join(out, "summary", recon + ".csv"))
    dec = read_csv(os.path.join(out, "decisions", recon + ".csv"))
    decs = {d["id"]: d for d in dec[1]} if dec else {}
    head = [h for h in exc[0] if h != "recon"]
    want_head = [column("exceptions", h)[0] for h in head] + \
        [column("exceptions", "state")[0]] + \
        [column("decisions", h)[0] for h in
         ("decision", "by", "at", "note", "decided_amount", "review")]
    check(want_head[:11] == ["Id", "SE", "Måned", "Nøgle", "CPR", "Beløb", "Årsag",
                             "Først set", "Alder (dage)", "Venstre", "Højre"],
          "%s: the base headers of conf/terms.conf: %s" % (where, want_head[:11]))
    check(want_head[-7:] == ["Tilstand", "Beslutning", "Af", "Besluttet", "Bemærkning",
                             "Beløb ved beslutning", "Til genbehandling"],
          "%s: the state and decision headers: %s" % (where, want_head[-7:]))
    got_head = row_values(ws, 1)[:len(want_head)]
    check(got_head == want_head, "%s: header row %s, want %s" % (where, got_head, want_head))
    check(all(c.font.b for c in ws[1][:len(want_head)]), "%s: header bold" % where)
    check(ws.freeze_panes == "A2", "%s: frozen header row, got %s" % (where, ws.freeze_panes))
    open_rows = [e for e in exc[1] if not decision_stands(decs.get(e["id"]))]
    decided = [e for e in exc[1] if decision_stands(decs.get(e["id"]))]
    last = get_column_letter(len(want_head))
    check(ws.auto_filter.ref == "A1:%s%d" % (last, 1 + max(len(open_rows), 0)),
          "%s: autofilter %s, want A1:%s%d" % (where, ws.auto_filter.ref, last,
                                              1 + len(open_rows)))
    # The open exceptions, in the file's order, from row 2; their marker
    # (match/openexc.h): open, explained by its code, a detail, never decided.
    states = {}
    for i, e in enumerate(open_rows):
        check_exception(ws, 2 + i, e, head, decs.get(e["id"]), recon, mask)
        st = ws[2 + i][len(head)].value
        check(st in STATES and STATES[st] != "decided",
              "%s row %d: state %r" % (where, 2 + i, st))
        states[STATES.get(st)] = states.get(STATES.get(st), 0) + 1
    r = find_row(ws, WORDS[("label", "decided")])
    if check(r is not None and r == 2 + len(open_rows) + 1,
             "%s: decided section after the open ones (row %s)" % (where, r)):
        check(row_values(ws, r + 1)[:len(want_head)] == want_head,
              "%s: decided section header" % where)
        for i, e in enumerate(decided):
            check_exception(ws, r + 2 + i, e, head, decs[e["id"]], recon, mask)
            st = ws[r + 2 + i][len(head)].value
            check(STATES.get(st) == "decided", "%s decided %d: state %r" % (where, i, st))
    # The summary section.
    r = find_row(ws, WORDS[("label", "summary")])
    if check(r is not None, "%s: a summary section" % where):
        sh = [h for h in summ[0] if h != "recon"]
        want = [column("summary", h)[0] for h in sh]
        check(want == ["SE", "Måned", "Nøgle", "Venstre", "Højre", "Forskel", "Forklaret",
                       "Uforklaret", "Status"], "%s: summary headers of the table" % where)
        # the key and the two sides as conf/report.conf names them (the report's)
        lab = LABELS.get(recon, {})
        want = [lab.get(h, w) if h in ("key", "left", "right", "explained") else w
                for h, w in zip(sh, want)]
        check(row_values(ws, r + 1)[:len(want)] == want, "%s: summary header row %s" %
              (where, row_values(ws, r + 1)))
        for i, s in enumerate(summ[1]):
            row = ws[r + 2 + i]
            for k, h in enumerate(sh):
                if h == "status":
                    check(row[k].value == WORDS[("status", s[h])],
                          "%s summary %d: status %r" % (where, i, row[k].value))
                elif h == "key" and s[h] == "TOTAL":
                    check(row[k].value == WORDS[("label", "total")], "%s: TOTAL" % where)
                else:
                    expect_cell(row[k], "summary", h, s[h], mask, "%s summary %d" % (where, i))
    # Fitted widths: every column at least its header, at most 60 characters
    # and the margin (libxlsxwriter adds a fraction for the cell padding).
    for k, h in enumerate(want_head):
        w = ws.column_dimensions[get_column_letter(k + 1)].width
        check(len(h) + 2 <= w < 63, "%s: column %s width %s" % (where, h, w))
    w = ws.column_dimensions["A"].width
    check(w >= 18, "%s: the id column fits 16 hex digits (%s)" % (where, w))
    return states.get("open", 0), len(decided)


def check_exception(ws, r, e, head, d, recon, mask):
    row = ws[r]
    where = "%s row %d (%s)" % (recon, r, e["id"])
    if not check(row[0].value == e["id"], "%s: id %r" % (where, row[0].value)):
        return
    for k, h in enumerate(head):
        if h == "reason":
            code, dan, note = reason_parts(e[h])
            text = WORDS.get(("reason", recon, code)) or WORDS.get(("reason", "*", code)) or dan
            want = text + (" (%s)" % note if note else "")
            want = masked_text(want, False) if mask else want
            check(row[k].value == want, "%s: reason %r, want %r" % (where, row[k].value, want))
            check(" / " not in (row[k].value or "") or " / " in note,
                  "%s: no English half" % where)
        else:
            expect_cell(row[k], "exceptions", h, e[h], mask, where)
    n = len(head) + 1    # the state column, then the decision's
    if d is None:
        check(all(c.value is None for c in row[n:n + 6]), "%s: no decision" % where)
        return
    check(row[n].value == WORDS[("decision", d["decision"])], "%s: decision %r" %
          (where, row[n].value))
    expect_cell(row[n + 1], "decisions", "by", d["by"], mask, where)
    expect_cell(row[n + 2], "decisions", "at", d["at"], mask, where)
    expect_cell(row[n + 3], "decisions", "note", d["note"], mask, where)
    expect_cell(row[n + 4], "decisions", "decided_amount", d["decided_amount"], mask, where)
    check(row[n + 5].value == (WORDS[("review", d["review"])] if d["review"] else None),
          "%s: review %r" % (where, row[n + 5].value))


def check_overview(wb, out, counts):
    ws = wb.worksheets[0]
    check(ws.title == "Oversigt", "first sheet %s" % ws.title)
    check(ws.freeze_panes == "A2", "overview frozen header")
    check(ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:"),
          "overview autofilter %s" % ws.auto_filter.ref)
    head = row_values(ws, 1)
    check(head[:3] == ["Afstemning", "Status", "OK – stemmer"], "overview header %s" % head)
    recons = sorted(f[:-4] for f in os.listdir(os.path.join(out, "summary"))
                    if f.endswith(".csv"))
    names = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    check(names == recons, "overview rows %s, want %s" % (names, recons))
    with_data = []
    for i, recon in enumerate(recons):
        summ = read_csv(os.path.join(out, "summary", recon + ".csv"))[1]
        exc = read_csv(os.path.join(out, "exceptions", recon + ".csv"))[1]
        row = ws[2 + i]
        no_data = len(summ) == 1 and summ[0]["key"] == "INGEN-DATA"
        if not no_data:
            with_data.append(recon)
        order = ["OK", "EXPLAINED", "BREAK", "MANGLER"]
        worst = max((order.index(s["status"]) for s in summ), default=0)
        st = "INGEN-DATA" if no_data else order[worst]
        check(row[1].value == WORDS[("status", st)], "overview %s: status %r" %
              (recon, row[1].value))
        # the INGEN-DATA row is not counted as MANGLER: its status says it
        # (as the report and pipeline overview count it, tester finding 8)
        for k, s in enumerate(order):
            check(row[2 + k].value == sum(1 for x in summ if x["status"] == s and
                                          x["key"] != "INGEN-DATA"),
                  "overview %s: %s rows %r" % (recon, s, row[2 + k].value))
        check(row[6].value == len(exc), "overview %s: exceptions %r" % (recon, row[6].value))
        if recon in counts:
            check((row[7].value, row[8].value) == counts[recon],
                  "overview %s: open, decided %r, want %r" % (recon, (row[7].value,
                                                                     row[8].value),
                                                            counts[recon]))
        total = sum(ore(x["unexplained"]) for x in summ
                    if x["unexplained"] and x["key"] != "TOTAL")
        check(row[9].value == total / 100, "overview %s: unexplained %r, want %s" %
              (recon, row[9].value, Decimal(total) / 100))
    check(wb.sheetnames == ["Oversigt"] + with_data,
          "sheets %s, want %s" % (wb.sheetnames, ["Oversigt"] + with_data))


def no_clear_cpr(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    m = CPR10.search(c.value)
                    check(not (m and cpr_date_ok(m.group(1))),
                          "%s!%s: CPR in the clear: %r" % (ws.title, c.coordinate, c.value))


def where_holds(conds, row):
    for c in conds:
        col, op, val = re.match(r"([^!^=]+)(!=|\^=|=)(.*)", c).groups()
        v = row.get(col, "")
        if not (v == val if op == "=" else v != val if op == "!=" else v.startswith(val)):
            return False
    return True


def voucher_of(out, pid):
    v = read_csv(os.path.join(out, "vouchers", "vouchers.csv"))
    for r in v[1] if v else []:
        if r["reference"].endswith(":" + pid) and r["kind"] != "reversal":
            return r["voucher_id"]
    return ""


def check_lists(wb, out, recon, expect):
    """Each list of conf/report.conf for recon: its title "TITLE (N)", its
    labels, N rows from its file(s) typed (amounts numbers, the rest text),
    "I alt (N)" with the sums; each rate: its title and per value a row."""
    ws = wb[recon]
    seen = {}
    for lrecon, title, frm, where, cols in LISTS:
        if lrecon != recon:
            continue
        files = [frm] if not frm.endswith("/") else sorted(
            frm + f for f in os.listdir(os.path.join(out, frm)) if f.endswith(".csv")) \
            if os.path.isdir(os.path.join(out, frm)) else []
        rows = []
        for f in files:
            t = read_csv(os.path.join(out, f))
            rows += [(f, r) for r in (t[1] if t else []) if where_holds(where, r)]
        spec = []
        for c in cols:
            money = 2 if c.startswith("sum:") else 1 if c.startswith("kr:") else 0
            col, _, label = c.split(":", 1)[1].partition("=") if money else c.partition("=")
            if col.startswith("link:"):
                col, _, label = c.rpartition("=")
            spec.append((col, label, money))
        r = None
        for i in range(1, ws.max_row + 1):
            v = ws.cell(i, 1).value
            if isinstance(v, str) and v.startswith(title + " ("):
                r = i
        if not check(r is not None, "%s: a section %r" % (recon, title)):
            continue
        check(ws.cell(r, 1).value == "%s (%d)" % (title, len(rows)),
              "%s: %r, want %d rows" % (recon, ws.cell(r, 1).value, len(rows)))
        seen[title] = (len(rows), 0)
        if not rows:
            check(ws.cell(r + 1, 1).value == WORDS[("label", "none")], "%s: none" % title)
            continue
        check(row_values(ws, r + 1)[:len(spec)] == [s[1] for s in spec],
              "%s: labels %s" % (title, row_values(ws, r + 1)[:len(spec)]))
        sums = [0] * len(spec)
        for k, (f, row) in enumerate(rows):
            cells = ws[r + 2 + k]
            for c, (col, label, money) in enumerate(spec):
                cell, at = cells[c], "%s row %d %s" % (title, k, label)
                if money:
                    v = row.get(col, "")
                    if v == "":
                        check(cell.value is None, "%s: blank" % at)
                        continue
                    check(cell.value == ore(v) / 100 and cell.number_format == "#,##0.00",
                          "%s: %r (%s), want the number %s" % (at, cell.value,
                                                               cell.number_format, v))
                    sums[c] += ore(v) if money == 2 else 0
                    continue
                if col == "@code":
                    want = row["reason"].split(":")[0]
                elif col == "@voucher":
                    want = voucher_of(out, row["id"])
                    check(want != "" or "voucher" not in label.lower(), "%s: a voucher" % at)
                elif col == "@file":
                    want = f
                elif col.startswith("link:"):
                    want = re.sub(r"\{([^}]*)\}", lambda m: row.get(m.group(1), ""), col[5:])
                else:
                    want = masked_text(row.get(col, ""), False)
                check(cell.value == (want or None) and (not want or cell.data_type == "s"),
                      "%s: %r, want the text %r" % (at, cell.value, want))
        if any(s[2] == 2 for s in spec) and len(rows) > 1:
            tot = ws[r + 2 + len(rows)]
            check(tot[0].value == "%s (%d)" % (WORDS[("label", "total")], len(rows)),
                  "%s: total row %r" % (title, tot[0].value))
            for c, s_ in enumerate(spec):
                if s_[2] == 2:
                    check(tot[c].value == sums[c] / 100, "%s: sum %r, want %s" %
                          (title, tot[c].value, sums[c] / 100))
            seen[title] = (len(rows), next(sums[c] for c, s_ in enumerate(spec) if s_[2] == 2))
    for rrecon, title, by_label in RATES:
        if rrecon != recon:
            continue
        r = find_row(ws, title)
        if check(r is not None, "%s: the rate %r" % (recon, title)):
            check(row_values(ws, r + 1)[:4] == [by_label, WORDS[("label", "rate-rows")],
                                                WORDS[("label", "rate-bad")],
                                                WORDS[("label", "rate-pct")]],
                  "%s: rate header %s" % (title, row_values(ws, r + 1)[:4]))
            k = r + 2
            while ws.cell(k, 1).value is not None:
                n, bad, pct = (ws.cell(k, c).value for c in (2, 3, 4))
                check(isinstance(n, int) and isinstance(bad, int) and 0 <= bad <= n and
                      abs(pct - round(bad * 1000 / n) / 10) < 1e-9,
                      "%s row %d: %r %r %r" % (title, k, n, bad, pct))
                k += 1
            check(k > r + 2, "%s: rows" % title)
            seen[title] = (k - r - 2, 0)
    for e in expect:
        title, _, want = e.rpartition("=")
        n, _, amt = want.partition(":")
        got = seen.get(title)
        check(got is not None and got[0] == int(n) and (not amt or got[1] == ore(amt)),
              "%s: (rows, sum in øre) %s, want %s" % (title, got, want))


def main():
    mode, path, out = sys.argv[1:4]
    wb = openpyxl.load_workbook(path)
    night = os.path.basename(os.path.normpath(out))
    check(wb.properties.created == datetime.datetime.strptime(night, "%Y-%m-%d"),
          "created %s, want the night %s" % (wb.properties.created, night))
    if mode == "night":
        mask = sys.argv[4] == "masked"
        counts = {}
        for recon in sys.argv[5:]:
            if check(recon in wb.sheetnames, "a sheet %s in %s" % (recon, wb.sheetnames)):
                counts[recon] = check_sheet(wb, out, recon, mask)
        check_overview(wb, out, counts)
        if mask:
            no_clear_cpr(wb)
        else:
            found = any(isinstance(c.value, str) and re.fullmatch(r"[0-9]{10}", c.value)
                        for ws in wb.worksheets for row in ws.iter_rows() for c in row)
            check(found, "cpr full: a CPR as it stands")
    elif mode == "lists":
        check_lists(wb, out, sys.argv[4], sys.argv[5:])
    elif mode == "open":
        # RECON=N ...: the overview's open exceptions (the one rule, as the report)
        ws = wb.worksheets[0]
        # RECON=N:AMOUNT also the open amount (øre as "40394,00"), the report's
        got = {ws.cell(r, 1).value: ws.cell(r, 8).value for r in range(2, ws.max_row + 1)}
        amt = {ws.cell(r, 1).value: ws.cell(r, 11).value for r in range(2, ws.max_row + 1)}
        check(ws.cell(1, 11).value == "Beløb åbne (numerisk)",
              "overview: open amount column %r" % ws.cell(1, 11).value)
        for a in sys.argv[4:]:
            recon, v = a.split("=")
            n, _, want = v.partition(":")
            check(got.get(recon) == int(n), "overview %s: open %r, want %s" %
                  (recon, got.get(recon), n))
            if want:
                have = amt.get(recon)
                check(have is not None and round(have * 100) == ore(want),
                      "overview %s: open amount %r, want %s" % (recon, have, want))
    else:
        decided, flagged, reopened = sys.argv[4:7]
        ws = wb["ky-eindkomst"]
        counts = {"ky-eindkomst": check_sheet(wb, out, "ky-eindkomst", True)}
        check_overview(wb, out, counts)
        no_clear_cpr(wb)
        r = find_row(ws, WORDS[("label", "decided")])
        ids_open = [ws.cell(i, 1).value for i in range(2, r - 1)]
        ids_dec = [ws.cell(i, 1).value for i in range(r + 2, ws.max_row + 1)]
        check(decided in ids_dec and decided not in ids_open, "the decided one apart")
        check(flagged in ids_open and reopened in ids_open, "flagged and reopened stay open")
        row = ws[ids_dec.index(decided) + r + 2]
        vals = [c.value for c in row]
        check("Forklaret" in vals and "ABC" in vals and
              datetime.datetime(2021, 2, 6, 8, 15, 42) in vals and
              "rettet i KY; 090972-xxxx ringet op" in vals,
              "who, when and why of the decided one: %s" % vals)
        row = ws[ids_open.index(flagged) + 2]
        vals = [c.value for c in row]
        check("Beløbet er ændret siden beslutningen" in vals and "Accepteret" in vals and
              -400 in vals, "the flagged one says so: %s" % vals)
        n_open = sum(1 for i in range(2, r - 1)
                     if STATES.get(ws.cell(i, len(read_csv(os.path.join(
                         out, "exceptions", "ky-eindkomst.csv"))[0])).value) == "open")
        check(counts["ky-eindkomst"] == (n_open, 1), "counts %s, want (%d, 1)" %
              (counts["ky-eindkomst"], n_open))
    for f in FAILS:
        print("FAIL:", f)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
