#!/usr/bin/env python3
"""Mellemkommunal refusion (seed 000): reference model and seeded generator.

usage:
  gen-refusion.py SEED DROPS EXPECTED [N]
      writes generated drops into DROPS for three nights, each file with
      its .done marker: lists in the three school layouts (NORD: UTF-8
      CSV; OEST: Windows-1252 CSV; MUSIK: XML), a CPR residence extract per
      night, and charges from other municipalities in the shipped shape and
      in the 0751 layout with a total row. N is the number of list cases of
      the first night (default 60: 40 injected breaks and N - 40 plain
      charged lines). Nights and answer keys ('reason;key;amount' of every
      exception row, sorted bytewise):
        EXPECTED            match-refusion on 2025-06-30 (every outgoing
                            reason but for-sent-indberettet)
        EXPECTED.2          on 2025-07-10: supplementary lists with repeats
                            of charged lines (dublet across nights), new H1
                            lines (supplementary charges), H2 lines (wait)
        EXPECTED.3          on 2027-01-15: a late list for 2025
                            (for-sent-indberettet), H2 2026 lines
        EXPECTED.charges    'night;kommune;periode;linjer;beloeb' of every
                            charge issued on the three nights
        EXPECTED.ind        match-refusion-ind on 2025-06-30 (every incoming
                            reason)
      The keys are written from what was injected, with their own decimal
      arithmetic, not by running the model.

  gen-refusion.py model --conf DIR --schemas DIR --drops DIR --state FILE
                        --out DIR --date YYYY-MM-DD
      the reference model of the proposed stages normalise (the refusion
      inputs), match-refusion, match-refusion-ind and vouchers (their
      postings): reads DIR/pipeline.conf, refusion.conf, kommuner.conf,
      vouchers.conf, accounts.conf and the schemas the input lines name,
      lands the complete files of DROPS (a JSON FILE stands in for the
      store: landed files, charged lines, incoming decisions, first-seen
      nights, vouchers), and writes OUT/DATE/ in the byte shape the C
      stages are to write (see DESIGN.md). Run the nights in order on one
      state FILE, as the pipeline runs them on one state directory.

Python 3 standard library only. Money is integer øre, hours integer
hundredths; never floating point.
"""
import csv
import decimal
import hashlib
import io
import json
import os
import random
import re
import sys
import xml.parsers.expat

RECON = "mellemkommunal-refusion"
RECON_IND = "mellemkommunal-refusion-ind"
BOM = "\ufeff"
ZERO_CPR = "0000000000"
FIELD_MAX = 4096                 # bytes of one value (proposed: field-max-bytes)
XML_MAX_BYTES = 64 << 20         # xml-max-bytes
XML_MAX_DEPTH = 64               # xml-max-depth
XML_MAX_TEXT = 10000000          # libxml2's limit of one text node without XML_PARSE_HUGE

# ---------------------------------------------------------------- helpers


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def uuid_from(text):
    """pipeline/voucher.c uuid_from(): UUID-shaped from a SHA-256 of text."""
    x = "0123456789abcdef"
    h = list(sha(text))
    h[12] = "5"
    h[16] = x[8 | (x.index(h[16]) % 4)]
    h = "".join(h[:32])
    return "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])


def kr(ore):
    """money_format(): -5837,42 (no thousands separator)."""
    s = "-" if ore < 0 else ""
    ore = abs(ore)
    return "%s%d,%02d" % (s, ore // 100, ore % 100)


def hours_text(h):
    """Hundredths of an hour as a charge file shows them: 24, 12,5 -> 12,50."""
    return str(h // 100) if h % 100 == 0 else "%d,%02d" % (h // 100, h % 100)


def round_half_up(hundredths, rate):
    """øre of hours (hundredths) x rate (øre per hour), half an øre up."""
    p = hundredths * rate
    return (p + 50) // 100 if p >= 0 else -((-p + 50) // 100)


def csv_field(s):
    """pipeline/csvout.c: quoted when it holds ; " CR or LF."""
    if any(c in s for c in ';"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def csv_line(fields):
    return ";".join(csv_field(f) for f in fields) + "\n"


def fmt_day(d):
    d = str(d)
    return "%s-%s-%s" % (d[0:4], d[4:6], d[6:8])


def fmt_month(m):
    m = str(m)
    return "%s-%s" % (m[0:4], m[4:6])


def fmt_cpr(c):
    return "%s-%s" % (c[:6], c[6:])


def fmt_period(p):
    return "%d-%d" % (p // 10, p % 10)


def period_last_month(p):
    return (p // 10) * 100 + (6 if p % 10 == 1 else 12)


def period_last_day(p):
    return period_last_month(p) * 100 + (30 if p % 10 == 1 else 31)


def day_valid(y, m, d):
    if not (1 <= m <= 12 and d >= 1):
        return False
    mdays = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28,
             31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return d <= mdays[m - 1]


def day_number(d):
    """Days from 1970-01-01 of YYYYMMDD."""
    y, m, dd = d // 10000, d // 100 % 100, d % 100
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + dd - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


class Bad(Exception):
    """A value or row that cannot be used: the reason."""

# ------------------------------------------------------- value parsing


def parse_day(s):
    s = s.strip()
    if re.fullmatch(r"\d{8}", s):
        y, m, d = int(s[:4]), int(s[4:6]), int(s[6:])
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        y, m, d = int(s[:4]), int(s[5:7]), int(s[8:])
    elif re.fullmatch(r"\d{2}-\d{2}-\d{4}", s):
        d, m, y = int(s[:2]), int(s[3:5]), int(s[6:])
    else:
        raise Bad("not a date")
    if not day_valid(y, m, d):
        raise Bad("not a real date")
    return y * 10000 + m * 100 + d


def parse_money(s, decimal_point=False):
    """Strict Danish notation (money.h), or xs:decimal with decimal-point."""
    t = s.strip()
    if decimal_point:
        m = re.fullmatch(r"(-?)(\d+)(?:\.(\d{1,2}))?", t)
        if not m:
            raise Bad("not an amount with a decimal point")
        sign, whole, dec = m.group(1), m.group(2), m.group(3) or ""
    else:
        m = re.fullmatch(r"(-?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?", t)
        if not m:
            raise Bad("not an amount in Danish notation")
        sign, whole, dec = m.group(1), m.group(2).replace(".", ""), m.group(3) or ""
    v = int(whole) * 100 + int((dec + "00")[:2])
    return -v if sign else v


def cpr_century(yy, d7):
    if d7 <= 3:
        return 1900
    if d7 in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def parse_cpr(s, substitute):
    t = s.strip()
    m = re.fullmatch(r"(\d{6})-?(\d{4})", t)
    if not m:
        raise Bad("not DDMMYY-SSSS")
    c = m.group(1) + m.group(2)
    d, mo, yy = int(c[0:2]), int(c[2:4]), int(c[4:6])
    if substitute and 61 <= d <= 91:
        d -= 60
    y = cpr_century(yy, int(c[6])) + yy
    if not day_valid(y, mo, d):
        raise Bad("the date part is not a date")
    return c


def parse_kommune(s):
    t = s.strip()
    if not re.fullmatch(r"\d{3,4}", t):
        raise Bad("not a municipality code (3 or 4 digits)")
    return "%04d" % int(t)


def parse_period(s):
    m = re.fullmatch(r"(\d{4})-([12])", s.strip())
    if not m:
        raise Bad("not a half-year YYYY-1 or YYYY-2")
    return int(m.group(1)) * 10 + int(m.group(2))


def parse_value(ftype, flags, cell):
    if ftype == "cpr":
        try:
            return parse_cpr(cell, "substitute-cpr" in flags)
        except Bad:
            if "invalid-as-zero" in flags:
                return ZERO_CPR
            raise
    if ftype == "day":
        d = parse_day(cell)
        return d // 100 if "month-of-date" in flags else d
    if ftype == "month":
        return parse_day(cell) // 100
    if ftype in ("money", "hours"):
        v = parse_money(cell, "decimal-point" in flags)
        if ftype == "hours" and v < 0:
            raise Bad("negative hours")
        return v
    if ftype == "kommune":
        return parse_kommune(cell)
    if ftype == "period":
        return parse_period(cell)
    if ftype == "int":
        if not re.fullmatch(r"-?\d{1,9}", cell.strip()):
            raise Bad("not an integer")
        return int(cell)
    if ftype == "se":
        if not re.fullmatch(r"\d{8}", cell.strip()):
            raise Bad("not 8 digits")
        return cell.strip()
    return cell

# ---------------------------------------------------------- conf files


def conf_lines(path):
    """pipeline/conffile.h: directive and words; "quotes" keep blanks; # comments."""
    out = []
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            words, w, q, inw = [], "", False, False
            for ch in raw.rstrip("\n"):
                if q:
                    if ch == '"':
                        q = False
                    else:
                        w += ch
                elif ch == '"':
                    q, inw = True, True
                elif ch == "#":
                    break
                elif ch in " \t":
                    if inw:
                        words.append(w)
                    w, inw = "", False
                else:
                    w += ch
                    inw = True
            if q:
                raise SystemExit("%s:%d: unterminated quote" % (path, no))
            if inw:
                words.append(w)
            if words:
                out.append((no, words))
    return out


def load_catalog(path):
    fields = {}
    stores = {}
    cur = None
    for no, w in conf_lines(path):
        if w[0] == "field":
            fields[w[1]] = w[2]
        elif w[0] == "store":
            cur = stores[w[1]] = {"key": [], "value": []}
        elif w[0] in ("key", "value"):
            cur[w[0]] += w[1:]
    return fields, stores


def load_schema(path, fields):
    s = {"path": path, "format": "csv", "encoding": "auto", "delimiter": ";",
         "cols": [], "amounts": [], "set": {}, "total": None, "ns": {},
         "root": [], "row": None}
    for no, w in conf_lines(path):
        d = w[0]
        if d == "store":
            s["store"] = w[1]
        elif d == "format":
            s["format"] = w[1]
        elif d == "encoding":
            s["encoding"] = w[1]
        elif d == "delimiter":
            s["delimiter"] = "\t" if w[1] == "tab" else w[1]
        elif d == "namespace":
            s["ns"][w[1]] = w[2]
        elif d == "root":
            s["root"] += w[1:]
        elif d == "row":
            s["row"] = w[1]
        elif d == "set":
            s["set"][w[1]] = w[2]
        elif d == "total-row":
            s["total"] = (w[1], w[2], dict(x.split("=", 1) for x in w[3:]))
        elif d == "column":
            if w[2] not in fields:
                raise SystemExit("%s:%d: '%s' is not a field of schemas/stores" % (path, no, w[2]))
            s["cols"].append((w[1], w[2], set(w[3:])))
        elif d == "amount":
            s["amounts"].append((w[1], set(w[2:])))
        else:
            raise SystemExit("%s:%d: unknown directive '%s'" % (path, no, d))
    return s


def pattern_regex(p):
    rx = re.escape(p)
    rx = rx.replace(re.escape("{se}"), r"(?P<se>\d{8})")
    rx = rx.replace(re.escape("{date}"), r"(?P<date>\d{8})")
    rx = rx.replace(re.escape("{month}"), r"(?P<month>\d{6})")
    rx = rx.replace(re.escape("{word}"), r"(?P<word>[A-Za-z0-9_-]+)")
    return re.compile(rx + r"\Z")


def load_conf(confdir):
    c = {"inputs": [], "dir": confdir}
    for no, w in conf_lines(os.path.join(confdir, "pipeline.conf")):
        if w[0] == "input":
            rest = w[3:]
            acc = "accumulate" in rest
            sets = dict(x.split("=", 1) for x in rest if "=" in x)
            c["inputs"].append({"pattern": w[1], "rx": pattern_regex(w[1]),
                                "schema": w[2], "accumulate": acc, "sets": sets})
    r = {"rates": {}, "nocharge": set(), "alias": {}, "agreement": set(),
         "deadline": 0, "schools": {}, "period": "half-year"}
    path = os.path.join(confdir, "refusion.conf")
    for no, w in conf_lines(path):
        d = w[0]
        if d == "own-municipality":
            r["own"] = parse_kommune(w[1])
        elif d == "period":
            if w[1] != "half-year":
                raise SystemExit("%s:%d: period: only half-year" % (path, no))
        elif d == "rate":
            r["rates"][(int(w[1]), w[2].lower())] = parse_money(w[3])
        elif d == "not-chargeable":
            r["nocharge"].add(w[1].lower())
        elif d == "form-alias":
            r["alias"][w[1].lower()] = w[2].lower()
        elif d == "agreement":
            r["agreement"] |= {parse_kommune(x) for x in w[1:]}
        elif d == "report-deadline-years":
            r["deadline"] = int(w[1])
        elif d == "school":
            r["schools"][w[1]] = w[2]
        else:
            raise SystemExit("%s:%d: unknown directive '%s'" % (path, no, d))
    c["refusion"] = r
    k = {}
    for no, w in conf_lines(os.path.join(confdir, "kommuner.conf")):
        if w[0] == "kommune":
            e = {"code": parse_kommune(w[1]), "name": w[2], "cvr": "", "ean": "", "kontakt": ""}
            for i in range(3, len(w) - 1, 2):
                e[w[i]] = w[i + 1]
            k[e["code"]] = e
    c["kommuner"] = k
    rules = []
    cur = None
    for no, w in conf_lines(os.path.join(confdir, "vouchers.conf")):
        if w[0] == "sender":
            c["sender"] = w[1]
        elif w[0] == "rule":
            cur = {"name": w[1], "recon": w[2], "code": w[3], "from": "exceptions",
                   "key": None, "text": "", "lines": []}
            rules.append(cur)
        elif w[0] == "from":
            cur["from"] = w[1]
        elif w[0] == "key":
            cur["key"] = w[1]
        elif w[0] == "text":
            cur["text"] = w[1]
        elif w[0] in ("debit", "credit"):
            cur["lines"].append((w[0] == "debit", w[1], w[2], w[3] if len(w) > 3 else None))
    c["rules"] = [x for x in rules if x["from"] == "postings"]
    roles = {}
    section = ""
    for no, w in conf_lines(os.path.join(confdir, "accounts.conf")):
        if w[0] == "municipality":
            section = w[1]
        elif w[0] == "role" and section == "":
            roles[w[1]] = w[2]
    c["roles"] = roles
    return c

# ----------------------------------------------------------- file input


def decode(data, encoding):
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if encoding == "utf-8":
        return data.decode("utf-8")
    if encoding == "windows-1252":
        return data.decode("cp1252")
    try:
        data[:65536].decode("utf-8")
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def csv_rows(data, s):
    """(line, fields) per row, line = the physical line where it starts."""
    text = decode(data, s["encoding"])
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines, delimiter=s["delimiter"], quotechar='"', strict=True)
    prev = 0
    out = []
    for row in reader:
        out.append((prev + 1, row))
        prev = reader.line_num
    return out


class XmlRefused(Exception):
    pass


class Node:
    __slots__ = ("tag", "attrib", "children", "parent", "line", "text")

    def __init__(self, tag, attrib, parent, line):
        self.tag, self.attrib, self.parent, self.line = tag, attrib, parent, line
        self.children, self.text = [], ""


def xml_tree(data):
    """A tree with line numbers; DTDs and entities refused before any expansion."""
    if len(data) > XML_MAX_BYTES:
        raise XmlRefused((0, "file larger than xml-max-bytes"))
    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    root = Node(None, {}, None, 0)
    stack = [root]

    def doctype(*a):
        raise XmlRefused((p.CurrentLineNumber, "DOCTYPE refused: DTDs and entities are not accepted"))

    def start(name, attrs):
        if len(stack) > XML_MAX_DEPTH:
            raise XmlRefused((p.CurrentLineNumber, "deeper than xml-max-depth"))
        n = Node(name, attrs, stack[-1], p.CurrentLineNumber)
        for v in attrs.values():
            if len(v.encode()) > XML_MAX_TEXT:
                raise XmlRefused((p.CurrentLineNumber, "attribute value too long"))
        stack[-1].children.append(n)
        stack.append(n)

    def end(name):
        stack.pop()

    def chars(t):
        n = stack[-1]
        n.text += t
        if len(n.text.encode()) > XML_MAX_TEXT:
            raise XmlRefused((p.CurrentLineNumber, "xmlSAX2Characters: huge text node"))

    p.StartDoctypeDeclHandler = doctype
    p.EntityDeclHandler = doctype
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        p.Parse(data, True)
    except xml.parsers.expat.ExpatError as e:
        raise XmlRefused((e.lineno, "not well-formed XML: " + xml.parsers.expat.ErrorString(e.code)))
    return root


def qname(step, ns):
    """'cbc:ID' -> 'URI ID' (expat's form), 'Hold' -> 'Hold'."""
    if ":" in step:
        pre, local = step.split(":", 1)
        return ns[pre] + " " + local
    return step


def xpath(node, path, ns):
    """The subset the refusion schemas use: /abs/steps, name, .., @attr."""
    if path.startswith("/"):
        while node.parent is not None:
            node = node.parent
        path = path[1:]
    cur = [node]
    for step in path.split("/"):
        nxt = []
        for n in cur:
            if step == "..":
                if n.parent is not None:
                    nxt.append(n.parent)
            elif step == ".":
                nxt.append(n)
            elif step.startswith("@"):
                a = qname(step[1:], ns)
                if isinstance(n, Node) and a in n.attrib:
                    nxt.append(n.attrib[a])
            else:
                q = qname(step, ns)
                nxt += [c for c in n.children if c.tag == q]
        cur = nxt
    return cur


def node_path(n):
    """libxml2's xmlGetNodePath(): /a/b[2]/c, an index only among same-name siblings."""
    parts = []
    while n.parent is not None:
        same = [c for c in n.parent.children if c.tag == n.tag]
        name = n.tag.split(" ")[-1]
        parts.append(name + ("[%d]" % (same.index(n) + 1) if len(same) > 1 else ""))
        n = n.parent
    return "/" + "/".join(reversed(parts))


def xml_rows(data, s):
    """(line, sub, cellfn) per row element; cellfn(path) -> text or None."""
    root = xml_tree(data)
    top = root.children[0] if root.children else None
    if top is None:
        raise XmlRefused((0, "no document element"))
    if s["root"] and top.tag not in [qname(r, s["ns"]) for r in s["root"]]:
        raise XmlRefused((top.line, "document element is not " + " or ".join(s["root"])))
    out = []
    seen = {}
    for n in xpath(root, s["row"], s["ns"]):
        sub = seen.get(n.line, 0)
        seen[n.line] = sub + 1

        def cell(path, n=n):
            if path is None:
                return node_path(n)
            r = xpath(n, path, s["ns"])
            if not r:
                return None
            v = r[0]
            return v if isinstance(v, str) else v.text
        out.append((n.line, sub, cell))
    return out


def read_records(data, s, base, fields, relpath):
    """normalise: (records, rejected, unusable-reason). A record is a dict."""
    recs, rej = [], []

    def one(line, sub, cell, raw):
        rec = dict(base)
        rec.update({k: parse_value(fields[k], set(), v) for k, v in s["set"].items()})
        total = False
        if s["total"] and cell(s["total"][0]) == s["total"][1]:
            total = True
            rec.update(s["total"][2])
        for i, (col, field, flags) in enumerate(s["cols"], 1):
            v = cell(col)
            where = col if s["format"] == "xml" else i
            if v is not None and len(v.encode()) > FIELD_MAX:
                rej.append((line, where, "value longer than %d bytes" % FIELD_MAX, raw))
                return
            if v is None or v.strip() == "":
                if "invalid-as-zero" in flags and not total:
                    rec[field] = ZERO_CPR
                    continue
                if "required" in flags and not total:
                    rej.append((line, where, "%s is empty" % col, raw))
                    return
                continue
            try:
                rec[field] = parse_value(fields[field], flags, v)
            except Bad as e:
                rej.append((line, where, "%s: %s" % (col, e), raw))
                return
        for j, (col, flags) in enumerate(s["amounts"], len(s["cols"]) + 1):
            v = cell(col)
            if v is None or v.strip() == "":
                rej.append((line, j, "%s is empty" % col, raw))
                return
            try:
                rec["amount"] = parse_money(v, "decimal-point" in flags)
            except Bad as e:
                rej.append((line, j, "%s: %s" % (col, e), raw))
                return
        rec["_line"], rec["_sub"] = line, sub
        recs.append(rec)

    if s["format"] == "xml":
        try:
            rows = xml_rows(data, s)
        except XmlRefused as e:
            return [], [(e.args[0][0], 0, "file not loaded: XML refused (see the log)", "")], e.args[0][1]
        for line, sub, cell in rows:
            one(line, sub, cell, cell(None))
        return recs, rej, None
    try:
        rows = csv_rows(data, s)
    except (csv.Error, UnicodeDecodeError) as e:
        return [], [(0, 0, "file not loaded: CSV syntax error (see the log)", "")], str(e)
    if not rows:
        return [], [], "file is empty (no header row)"
    hline, header = rows[0]
    names = [c for c, _, _ in s["cols"]] + [c for c, _ in s["amounts"]]
    if s["total"]:
        names.append(s["total"][0])
    index = {}
    for name in set(names):
        hits = [i for i, h in enumerate(header) if h == name]
        if len(hits) > 1:
            why = "header names column '%s' %d times (columns %s)" % (
                name, len(hits), ", ".join(str(i + 1) for i in hits))
            return [], [(ln, 0, "file not loaded: its header is ambiguous", ";".join(r))
                        for ln, r in rows[1:]], why
        if hits:
            index[name] = hits[0]
    missing = [c for c, _, fl in s["cols"] if c not in index and "optional" not in fl]
    missing += [c for c, _ in s["amounts"] if c not in index]
    if missing:
        return [], [(ln, 0, "file not loaded: its header lacks columns", ";".join(r))
                    for ln, r in rows[1:]], "missing column '%s' (schema %s)" % (
                        missing[0], os.path.basename(s["path"])[:-7])
    for line, row in rows[1:]:
        if len(row) != len(header):
            rej.append((line, 0, "not as many fields as the header", ";".join(row)))
            continue
        one(line, 0, lambda col, row=row: row[index[col]] if col in index else None, ";".join(row))
    return recs, rej, None

# ---------------------------------------------------------------- model


class Model:
    def __init__(self, a):
        self.conf = load_conf(a["conf"])
        self.fields, self.stores = load_catalog(os.path.join(a["schemas"], "stores"))
        self.schemadir = a["schemas"]
        self.drops, self.out = a["drops"], a["out"]
        self.statefile = a["state"]
        y, m, d = a["date"].split("-")
        self.night = int(y + m + d)
        self.nightstr = a["date"]
        self.outdir = os.path.join(self.out, self.nightstr)
        try:
            with open(self.statefile) as f:
                self.st = json.load(f)
        except FileNotFoundError:
            self.st = {"landed": {}, "breaks": {}, "charged": {}, "charges": {},
                       "ind": {}, "events": {}, "vouchers": {}}
        self.ref = self.conf["refusion"]
        self.log = []
        self.bad_files = []

    # -- landing and normalising
    def land(self):
        for sub in sorted(os.listdir(self.drops)):
            d = os.path.join(self.drops, sub)
            if not os.path.isdir(d):
                continue
            for name in sorted(os.listdir(d)):
                if name.endswith(".done") or not os.path.exists(os.path.join(d, name + ".done")):
                    continue
                rel = sub + "/" + name
                data = open(os.path.join(d, name), "rb").read()
                h = hashlib.sha256(data).hexdigest()
                old = self.st["landed"].get(rel)
                if old is None or (old["sha"] != h and old["night"] <= self.night):
                    self.st["landed"][rel] = {"sha": h, "night": self.night}

    def visible(self):
        """Landed files a night reads: landed and named on or before it."""
        files = []
        for rel, e in sorted(self.st["landed"].items()):
            if e["night"] > self.night:
                continue
            rule = None
            for r in self.conf["inputs"]:
                m = r["rx"].match(rel)
                if m:
                    rule = r
                    break
            if rule is None:
                if e["night"] == self.night:
                    self.log.append("normalise: %s: no 'input' in conf/pipeline.conf names this file; not loaded" % rel)
                    self.bad_files.append(rel)
                continue
            gd = m.groupdict()
            date = int(gd["date"]) if gd.get("date") else int(gd["month"]) * 100 + 1 if gd.get("month") else 0
            if date > self.night:
                continue
            files.append((rel, e["sha"], date, rule))
        return files

    def normalise(self):
        self.files = {}
        self.rejected = {}
        for rel, h, date, rule in self.visible():
            s = load_schema(os.path.join(self.schemadir, rule["schema"] + ".schema"), self.fields)
            base = {}
            for k, v in rule["sets"].items():
                if v == "{date}":
                    base[k] = date // 100 if self.fields[k] == "month" else date
                else:
                    base[k] = parse_value(self.fields[k], set(), v)
            data = open(os.path.join(self.drops, rel), "rb").read()
            recs, rej, why = read_records(data, s, base, self.fields, rel)
            if why:
                line = rej[0][0] if rej and rej[0][0] and s["format"] == "xml" else 1
                if self.st["landed"][rel]["night"] == self.night:
                    self.log.append("normalise: %s:%d: %s" % (rel, line, why))
                    self.bad_files.append(rel)
            elif rej and self.st["landed"][rel]["night"] == self.night:
                for line, col, r, _ in rej[:10]:
                    self.log.append("normalise: %s:%d%s: %s" % (rel, line, ":%s" % col if col else "", r))
            if rej:
                self.rejected[rel] = rej
            self.files[rel] = {"sha": h, "date": date, "store": s["store"],
                               "recs": recs, "accumulate": rule["accumulate"]}

    def store_rows(self, store):
        out = []
        for rel in sorted(self.files, key=lambda r: (self.files[r]["date"], r)):
            f = self.files[rel]
            if f["store"] != store:
                continue
            for r in f["recs"]:
                out.append((f["date"], rel, r["_line"], r["_sub"], f["sha"], r))
        return out

    # -- residence
    def residence(self):
        best = None
        for rel, f in self.files.items():
            if f["store"] == "refusion.bopael" and (best is None or (f["date"], rel) > best[0]):
                best = ((f["date"], rel), f)
        res = {}
        self.extract = best[0][1] if best else None
        if best:
            for r in best[1]["recs"]:
                res.setdefault(r["cpr"], []).append(r)
        return res

    def residence_at(self, res, cpr, day):
        """(code, why): the paying municipality on day, or None and why not."""
        rows = res.get(cpr)
        if not rows:
            return None, "ukendt"
        cover = [r for r in rows if r["fra"] <= day and ("til" not in r or day < r["til"])]
        if len(cover) != 1:
            return None, "%d" % len(cover)
        r = cover[0]
        return r.get("betalingskommune") or r["kommune"], None

    def form_of(self, form):
        f = form.strip().lower()
        return self.ref["alias"].get(f, f)

    # -- match-refusion (outgoing)
    def outgoing(self):
        own, N = self.ref["own"], self.night
        res = self.residence()
        lines = self.store_rows("refusion.deltager")
        ses = sorted({r[5]["se"] for r in lines}) or ["29757895"]
        if len(ses) > 1:
            raise SystemExit("match-refusion: lines of more than one SE")
        se = ses[0]
        seen = {}
        results = []
        waiting = 0
        new_by = {}
        for date, rel, line, sub, fsha, r in lines:
            start = r["kursusstart"]
            y = start // 10000
            ta = r.get("timeaar") or y
            slut = r.get("kursusslut")
            uden = (ta < y or ta > (slut // 10000 if slut else y)) or (slut is not None and slut < start)
            if uden or ta == y:
                period = y * 10 + (1 if start // 100 % 100 <= 6 else 2)
            else:
                period = ta * 10 + 1
            if period_last_day(period) > N:
                waiting += 1
                continue
            fil = rel.split("/")[-1]
            ref = "%s:%d" % (fil, line) + (".%d" % sub if sub else "")
            form = self.form_of(r["form"])
            rate = self.ref["rates"].get((ta, form))
            value = round_half_up(r["timer"], rate) if rate is not None and form not in self.ref["nocharge"] else 0
            L = {"rel": rel, "fil": fil, "line": line, "ref": ref, "r": r, "period": period,
                 "form": form, "rate": rate, "value": value, "ta": ta, "date": date}
            cpr = r["cpr"]

            def attributed():
                k, why = self.residence_at(res, cpr, start)
                return k if k in self.conf["kommuner"] else "UKENDT"

            code, key, note = None, None, None
            if cpr == ZERO_CPR:
                code, key = "cpr-ugyldig", "UKENDT"
            elif uden:
                code, key = "uden-for-periode", "UKENDT"
                note = "timeår %d, hold %s til %s" % (ta, fmt_day(start), fmt_day(slut) if slut else "?")
            elif form in self.ref["nocharge"]:
                code, key = "foredrag-ikke-refusion", attributed()
            elif rate is None:
                code, key = "takst-mangler", "UKENDT"
                note = "ingen takst for %s %d" % (form, ta)
            else:
                dk = "\0".join((cpr, r["skole"], r["holdnr"], str(ta)))
                if dk in seen:
                    code, key = "dublet", attributed()
                    note = "af %s" % seen[dk]
                else:
                    seen[dk] = ref
                    rec = self.st["charged"].get(dk)
                    if rec is not None and rec["night"] <= N:
                        # charged on an earlier night (or by this night's earlier run)
                        L.update(charged=rec["charge"], K=rec["kommune"], value=rec["amount"],
                                 period=rec["period"])
                        results.append(L)
                        continue
                    k, why = self.residence_at(res, cpr, start)
                    if why == "ukendt":
                        code, key = "ukendt-i-cpr", "UKENDT"
                    elif why is not None or k not in self.conf["kommuner"]:
                        code, key = "bopael-ukendt-ved-start", "UKENDT"
                        note = ("%s bopæle ved kursusstart %s" % (why, fmt_day(start))
                                if why is not None else
                                "kommunekode %s er ikke i kommuner.conf" % k)
                    elif k == own:
                        code, key = "bor-i-egen-kommune", own
                    elif k in self.ref["agreement"]:
                        code, key = "aftalekommune", k
                    elif self.ref["deadline"] and date > (ta + self.ref["deadline"]) * 10000 + 1231:
                        code, key = "for-sent-indberettet", k
                        note = "frist %d-12-31" % (ta + self.ref["deadline"])
                    elif rec is not None:
                        # a later night charged it (a rerun of an old night): never twice
                        L.update(charged=rec["charge"], K=rec["kommune"], value=rec["amount"],
                                 period=rec["period"])
                        results.append(L)
                        continue
                    else:
                        L.update(K=k, new=True, dk=dk)
                        new_by.setdefault((k, period), []).append(L)
                        results.append(L)
                        continue
            L.update(code=code, key=key, note=note)
            results.append(L)
        # issue the night's new charges: the next number of (own, K, period)
        for (k, period), ls in sorted(new_by.items()):
            prefix = "%s|%s|%d|" % (own, k, period)
            nr = 1 + max([int(c.split("|")[3]) for c in self.st["charges"] if c.startswith(prefix)] or [0])
            cid = uuid_from("%s|%s|%s|%s|%d" % (RECON, own, k, fmt_period(period), nr))
            self.st["charges"][prefix + str(nr)] = {"id": cid, "night": N, "lines": len(ls),
                                                    "amount": sum(x["value"] for x in ls)}
            for x in ls:
                x["charged"] = cid
                self.st["charged"][x["dk"]] = {"charge": cid, "night": N, "period": period,
                                               "kommune": k, "amount": x["value"],
                                               "nr": nr, "source": x["rel"] + ":" + x["ref"].split(":")[1],
                                               "line": self.charge_line(x, k, period, cid)}
        return se, results, waiting

    def charge_line(self, x, k, period, cid):
        r = x["r"]
        stated = r.get("oplyst_kommune", "")
        if stated:
            code = None
            if re.fullmatch(r"\d{3,4}", stated.strip()):
                code = "%04d" % int(stated)
            else:
                n = stated.strip().lower()
                for c, e in self.conf["kommuner"].items():
                    if n in (e["name"].lower(), e["name"].lower() + " kommune",
                             e["name"].lower() + "s kommune"):
                        code = c
            if code == k:
                stated = ""
        return [self.ref["own"], k, fmt_period(period),
                self.ref["schools"].get(r["skole"], r["skole"]), r["holdnr"],
                fmt_day(r["kursusstart"]), fmt_cpr(r["cpr"]), r.get("name", ""), x["form"],
                hours_text(r["timer"]), kr(x["rate"]), kr(x["value"]), cid, stated,
                r["skole"], x["ref"]]

    # -- match-refusion-ind (incoming)
    def incoming(self):
        own, N = self.ref["own"], self.night
        res = self.residence()
        rows = self.store_rows("refusion.opkraevning")
        seen = set()
        out = []
        files = {}
        for date, rel, line, sub, fsha, r in rows:
            files.setdefault(rel, []).append((line, sub, fsha, r))
        order = sorted(files, key=lambda rel: (self.files[rel]["date"], rel))
        for rel in order:
            fil = rel.split("/")[-1]
            lines = [x for x in files[rel] if x[3].get("kind") != "total"]
            totals = [x for x in files[rel] if x[3].get("kind") == "total"]
            C = lines[0][3]["opkraevende"] if lines else (totals[0][3].get("opkraevende") if totals else "")
            for line, sub, fsha, r in lines:
                ref = "%s:%d" % (fil, line) + (".%d" % sub if sub else "")
                sk = "%s|%s|%s" % (rel, fsha, ref)
                period = r["periode"]
                cpr = r["cpr"]
                dk = "\0".join((r["opkraevende"], cpr, r["skole"], r["holdnr"], str(period)))
                dec = self.st["ind"].get(sk)
                if dec is None:
                    dec = self.decide(r, res, dk in seen)
                    dec["night"] = N
                    self.st["ind"][sk] = dec
                if dec["code"] not in ("forkert-modtager", "aftalekommune", "cpr-ugyldig",
                                       "foredrag", "dublet"):
                    seen.add(dk)
                out.append({"rel": rel, "fil": fil, "line": line, "ref": ref, "r": r,
                            "C": r["opkraevende"], "period": period, "dec": dec})
            for line, sub, fsha, r in totals:
                ref = "%s:%d" % (fil, line)
                sk = "%s|%s|%s" % (rel, fsha, ref)
                total = r["amount"]
                lsum = sum(x[3]["amount"] for x in lines)
                period = lines[0][3]["periode"] if lines else period_of_month(r["month"])
                dec = self.st["ind"].get(sk)
                if dec is None:
                    d = total - lsum
                    dec = {"code": "sum-afviger" if d else None, "accepted": 0, "disputed": d,
                           "note": "total %s, linjer %s" % (kr(total), kr(lsum)) if d else None,
                           "night": N}
                    self.st["ind"][sk] = dec
                out.append({"rel": rel, "fil": fil, "line": line, "ref": ref, "r": r,
                            "C": C, "period": period, "dec": dec, "total": True})
        return out

    def decide(self, r, res, dup):
        own = self.ref["own"]
        amount = r["amount"]
        form = self.form_of(r["form"])
        year = r["periode"] // 10
        rate = self.ref["rates"].get((year, form))

        def no(code, note=None):
            return {"code": code, "accepted": 0, "disputed": amount, "note": note}
        if r["betalende"] != own:
            return no("forkert-modtager", "til %s" % r["betalende"])
        if r["opkraevende"] in self.ref["agreement"]:
            return no("aftalekommune")
        if r["cpr"] == ZERO_CPR:
            return no("cpr-ugyldig")
        if form in self.ref["nocharge"]:
            return no("foredrag")
        if dup:
            return no("dublet")
        rows = res.get(r["cpr"], [])
        cover = [x for x in rows if x["fra"] <= r["kursusstart"] and ("til" not in x or r["kursusstart"] < x["til"])]
        if not (len(cover) == 1 and own in (cover[0]["kommune"], cover[0].get("betalingskommune"))):
            why = ("ikke i bopælsudtrækket" if not rows else "%d bopæle" % len(cover) if len(cover) != 1
                   else "bopæl %s" % (cover[0].get("betalingskommune") or cover[0]["kommune"]))
            return no("ikke-bopael-ved-start", "%s den %s" % (why, fmt_day(r["kursusstart"])))
        if rate is None:
            return no("takst-mangler", "ingen takst for %s %d" % (form, year))
        if amount <= 0:
            return {"code": None, "accepted": amount, "disputed": 0, "note": None}
        if r["takst"] > rate:
            acc = min(amount, round_half_up(r["timer"], rate))
            return {"code": "takst-afviger", "accepted": acc, "disputed": amount - acc,
                    "note": "takst %s, årets takst %s" % (kr(r["takst"]), kr(rate))}
        calc = round_half_up(r["timer"], r["takst"])
        if amount > calc:
            return {"code": "beloeb-afviger", "accepted": calc, "disputed": amount - calc,
                    "note": "timer x takst = %s" % kr(calc)}
        return {"code": None, "accepted": amount, "disputed": 0, "note": None}

    # -- outputs
    def write(self, rel, text, mode=0o640):
        p = os.path.join(self.outdir, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(p, mode)

    def first_seen(self, eid):
        s = self.st["breaks"].get(eid)
        if s is None or s > self.night:
            self.st["breaks"][eid] = s = self.night
        return s

    def exc_rows(self, recon, se, excs):
        """excs: (month, key, cpr, code, ref, amount, text, extra)."""
        rows = []
        for month, key, cpr, code, ref, amount, text, extra in excs:
            eid = sha("%s|%s|%d|%s|%s|%s|%s" % (recon, se, month, key, cpr, code, ref))[:16]
            fs = self.first_seen(eid)
            rows.append(((se, month, key, cpr, code, ref),
                         [eid, recon, se, fmt_month(month), key, cpr, kr(amount), text,
                          fmt_day(fs), str(day_number(self.night) - day_number(fs)), "", ""] + extra))
        rows.sort(key=lambda x: tuple(s.encode() if isinstance(s, str) else s for s in x[0]))
        return [r for _, r in rows]

    def summary_text(self, recon, se, sums):
        out = BOM + "recon;se;month;key;left;right;difference;explained;unexplained;status\n"
        for (month, key) in sorted(sums, key=lambda k: (k[0], k[1].encode())):
            l, r, e = sums[(month, key)]
            d = l - r
            st = "OK" if d == 0 and e == 0 else "EXPLAINED" if d - e == 0 else "BREAK"
            out += csv_line([recon, se, fmt_month(month), key, kr(l), kr(r), kr(d), kr(e), kr(d - e), st])
        return out

    def run(self):
        self.land()
        self.normalise()
        for rel, rej in sorted(self.rejected.items()):
            text = BOM + "file;line;column;reason;row\n"
            for line, col, why, raw in rej:
                text += csv_line([rel, str(line) if line else "", str(col) if col else "", why, raw])
            self.write("rejected/" + rel.replace("/", "-") + ("" if rel.endswith(".csv") else ".csv"), text)
        postings = []
        postings += self.run_outgoing()
        postings += self.run_incoming()
        self.run_vouchers(postings)
        with open(self.statefile, "w") as f:
            json.dump(self.st, f, indent=0, sort_keys=True)
        for l in self.log:
            print(l, file=sys.stderr)
        return 65 if self.bad_files else 0

    def run_outgoing(self):
        se, results, waiting = self.outgoing()
        own, N = self.ref["own"], self.night
        sums, excs = {}, []
        texts = OUT_TEXTS
        for L in results:
            month = period_last_month(L["period"])
            if "charged" in L:
                s = sums.setdefault((month, L["K"]), [0, 0, 0])
                s[0] += L["value"]
                s[1] += L["value"]
                continue
            key = L["key"]
            s = sums.setdefault((month, key), [0, 0, 0])
            s[0] += L["value"]
            if L["code"] in EXPLAINED_OUT:
                s[2] += L["value"]
            text = "%s: %s" % (L["code"], texts[L["code"]])
            if L["note"]:
                text += " (%s)" % L["note"]
            r = L["r"]
            cpr = "" if r["cpr"] == ZERO_CPR else r["cpr"]
            excs.append((month, key, cpr, L["code"], L["ref"], L["value"], text,
                         [r["skole"], r["holdnr"], L["fil"], L["ref"].split(":")[1],
                          r.get("cpr_raw", "") if cpr == "" else ""]))
        for month in sorted({m for m, _ in sums}):
            t = [0, 0, 0]
            for (m, k), v in sums.items():
                if m == month:
                    t = [a + b for a, b in zip(t, v)]
            sums[(month, "TOTAL")] = t
        self.write("summary/%s.csv" % RECON, self.summary_text(RECON, se, sums))
        text = BOM + "id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right;skole;holdnr;fil;linje;cpr_raw\n"
        for row in self.exc_rows(RECON, se, excs):
            text += csv_line(row)
        self.write("exceptions/%s.csv" % RECON, text)
        # charges issued on this night (a rerun writes the same ones)
        tonight = sorted(((k, c) for k, c in self.st["charges"].items() if c["night"] == N),
                         key=lambda kc: (kc[0].split("|")[1], int(kc[0].split("|")[2]), int(kc[0].split("|")[3])))
        index = BOM + "kommune;navn;cvr;ean;linjer;beloeb;opkraevnings_id;periode;nr\n"
        post = []
        per_k = {}
        for key, c in tonight:
            _, k, period, nr = key.split("|")
            e = self.conf["kommuner"][k]
            index += csv_line([k, e["name"], e["cvr"], e.get("ean", ""), str(c["lines"]), kr(c["amount"]),
                               c["id"], fmt_period(int(period)), nr])
            ls = sorted((v["line"] for v in self.st["charged"].values() if v["charge"] == c["id"]),
                        key=lambda l: (l[14].encode(), l[4].encode(), l[6], l[15].encode()))
            per_k.setdefault(k, []).extend((int(period), int(nr), l) for l in ls)
            month = period_last_month(int(period))
            pid = sha("postings|%s|%s|%d|%s|%s" % (RECON, se, month, k, c["id"]))[:16]
            post.append((RECON, [pid, RECON, se, fmt_month(month), k, "", kr(c["amount"]),
                                 "opkraevning: opkrævning sendt / charge sent", self.nightstr, "0", "", "",
                                 "", kr(c["amount"]), "0,00", c["id"], fmt_period(int(period)), str(c["lines"])]))
        self.write("charges/charges.csv", index)
        head = ("Opkraevende_kommune;Betalende_kommune;Periode;Skole;Holdnr;Kursusstart;CPR;Navn;"
                "Form;Timer;Takst;Beloeb;Opkraevnings_id;Oplyst_kommune\n")
        for k, ls in sorted(per_k.items()):
            text = BOM + head
            for _, _, l in sorted(ls, key=lambda x: (x[0], x[1])):
                text += csv_line(l[:14])
            self.write("charges/%s/%s.csv" % (RECON, k), text)
        ptext = BOM + POSTINGS_HEADER
        for _, row in post:
            ptext += csv_line(row)
        self.write("postings/%s.csv" % RECON, ptext)
        return post

    def run_incoming(self):
        out = self.incoming()
        own, N = self.ref["own"], self.night
        se = "29757895"
        for rel, f in self.files.items():
            for r in f["recs"]:
                se = r.get("se", se)
        sums, excs, disputes, accepted = {}, [], {}, {}
        for x in out:
            d, r = x["dec"], x["r"]
            month = period_last_month(x["period"])
            s = sums.setdefault((month, x["C"]), [0, 0, 0])
            if x.get("total"):
                s[0] += d["disputed"]
                s[2] += d["disputed"]
            else:
                s[0] += r["amount"]
                s[1] += d["accepted"]
                s[2] += d["disputed"]
            if d["code"]:
                text = "%s: %s" % (d["code"], IND_TEXTS[d["code"]])
                if d["note"]:
                    text += " (%s)" % d["note"]
                cpr = "" if x.get("total") or r["cpr"] == ZERO_CPR else r["cpr"]
                excs.append((month, x["C"], cpr, d["code"], x["ref"], d["disputed"], text,
                             [r.get("skole", ""), r.get("holdnr", ""), x["fil"], str(x["line"]),
                              r.get("cpr_raw", "") if cpr == "" and not x.get("total") else ""]))
            if d["night"] == N and d["code"]:
                disputes.setdefault(x["C"], []).append(x)
            if d["night"] == N and not x.get("total"):
                a = accepted.setdefault((x["C"], r["ident"], x["period"]), [0, 0])
                a[0] += d["accepted"]
                a[1] += 1
        for month in sorted({m for m, _ in sums}):
            t = [0, 0, 0]
            for (m, k), v in sums.items():
                if m == month:
                    t = [a + b for a, b in zip(t, v)]
            sums[(month, "TOTAL")] = t
        self.write("summary/%s.csv" % RECON_IND, self.summary_text(RECON_IND, se, sums))
        text = BOM + "id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right;skole;holdnr;fil;linje;cpr_raw\n"
        for row in self.exc_rows(RECON_IND, se, excs):
            text += csv_line(row)
        self.write("exceptions/%s.csv" % RECON_IND, text)
        head = ("Opkraevende_kommune;Betalende_kommune;Periode;Skole;Holdnr;Kursusstart;CPR;Navn;Form;"
                "Timer;Takst;Beloeb;Opkraevnings_id;Accepteret;Bestridt;Aarsag;Fil;Linje\n")
        for C, xs in sorted(disputes.items()):
            text = BOM + head
            for x in sorted(xs, key=lambda x: (x["fil"].encode(), x["line"])):
                r, d = x["r"], x["dec"]
                aarsag = "%s: %s" % (d["code"], IND_TEXTS[d["code"]].split(" / ")[0])
                if d["note"]:
                    aarsag += " (%s)" % d["note"]
                if x.get("total"):
                    text += csv_line([C, "", "", "", "", "", "", "", "", "", "", kr(r["amount"]), "",
                                      "", kr(d["disputed"]), aarsag, x["fil"], str(x["line"])])
                    continue
                cprtext = r.get("cpr_raw", "") if r["cpr"] == ZERO_CPR else fmt_cpr(r["cpr"])
                text += csv_line([r["opkraevende"], r["betalende"], fmt_period(r["periode"]), r["skole"],
                                  r["holdnr"], fmt_day(r["kursusstart"]), cprtext, r.get("name", ""),
                                  r["form"], hours_text(r["timer"]), kr(r["takst"]), kr(r["amount"]),
                                  r["ident"], kr(d["accepted"]), kr(d["disputed"]), aarsag,
                                  x["fil"], str(x["line"])])
            self.write("disputes/%s/%s.csv" % (RECON_IND, C), text)
        post = []
        for (C, ident, period), (amount, n) in sorted(accepted.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1].encode())):
            if amount == 0:
                continue
            month = period_last_month(period)
            pid = sha("postings|%s|%s|%d|%s|%s|%d" % (RECON_IND, se, month, C, ident, N))[:16]
            post.append((RECON_IND, [pid, RECON_IND, se, fmt_month(month), C, "", kr(amount),
                                     "accepteret: accepteret del af modtaget opkrævning / accepted part of a charge received",
                                     self.nightstr, "0", "", "", "", kr(amount), "0,00", ident,
                                     fmt_period(period), str(n)]))
        ptext = BOM + POSTINGS_HEADER
        for _, row in post:
            ptext += csv_line(row)
        self.write("postings/%s.csv" % RECON_IND, ptext)
        return post

    # -- vouchers from postings (pipeline/voucher.c, voucherstore.c)
    def run_vouchers(self, postings):
        cols = POSTINGS_HEADER.strip().split(";")
        for recon, row in postings:
            v = dict(zip(cols, row))
            code = v["reason"].split(":")[0]
            for rule in self.conf["rules"]:
                if rule["recon"] != recon or rule["code"] != code or (rule["key"] and rule["key"] != v["key"]):
                    continue
                text = self.fill(rule["text"], v)
                lines = []
                for debit, account, amount, ltext in rule["lines"]:
                    a = parse_money(v["amount"])
                    if amount.startswith("-"):
                        a = -a
                    acc = self.conf["roles"][account] if account in self.conf["roles"] else account
                    if a == 0:
                        continue
                    lines.append((acc, debit if a > 0 else not debit, abs(a), self.fill(ltext, v) if ltext else text))
                event = sha("%s|%s|%s|%s|%s|%s|%s" % (rule["name"], recon, v["se"], v["month"], v["key"], v["cpr"], v["id"]))
                digest = sha("".join("%s|%s|%d|%s\n" % (a, "D" if d else "K", m, t) for a, d, m, t in lines))
                e = self.st["events"].get(event)
                if e is None or (e["digest"] != digest and e["night"] <= self.night):
                    seq = 0 if e is None else e["seq"] + 1
                    vid = uuid_from("finansbilag|%s|%s|%d" % (event, digest, seq))
                    self.st["events"][event] = {"current": vid, "night": self.night, "digest": digest, "seq": seq}
                    self.st["vouchers"][vid] = {"night": self.night, "rule": rule["name"], "se": v["se"],
                                                "reference": "%s:%s" % (rule["name"], v["id"]), "lines": lines}
        mine = sorted((vid, x) for vid, x in self.st["vouchers"].items() if x["night"] == self.night)
        csvtext = BOM + ("voucher_id;reference;kind;reverses;rule;date;se;sender;line;posting_id;account;"
                         "side;amount;signed_amount;text\n")
        for vid, x in mine:
            for i, (acc, debit, amount, text) in enumerate(x["lines"], 1):
                pid = uuid_from("posting|%s|%d" % (vid, i))
                csvtext += csv_line([vid, x["reference"], "voucher", "", x["rule"], self.nightstr, x["se"],
                                     self.conf["sender"], str(i), pid, acc, "D" if debit else "K", kr(amount),
                                     kr(amount if debit else -amount), text])
            self.write("vouchers/%s.xml" % vid, self.finansbilag(vid, x))
        self.write("vouchers/vouchers.csv", csvtext)

    def fill(self, t, v):
        def one(m):
            name = m.group(1)
            if name.startswith("@"):
                return v[name[1:]]
            return {"key": v["key"], "month": v["month"], "se": v["se"], "recon": v["recon"],
                    "amount": v["amount"], "cpr": v["cpr"]}[name]
        return re.sub(r"\{([^}]*)\}", one, t)

    def finansbilag(self, vid, x):
        def esc(s):
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        def dec(o):
            return kr(o).replace(",", ".")
        total = sum(a for _, d, a, _ in x["lines"] if d)
        o = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<Finansbilag xmlns="urn:oio:kommune-afstemning:finansbilag:sf1590a-form:1">',
             "  <BilagHoved>",
             "    <BilagUUID>%s</BilagUUID>" % vid,
             "    <BilagReference>%s</BilagReference>" % esc(x["reference"]),
             "    <BilagType>Ompostering</BilagType>",
             "    <BilagDato>%s</BilagDato>" % self.nightstr,
             "    <Afsender>",
             "      <SystemID>%s</SystemID>" % esc(self.conf["sender"]),
             "      <SENummer>%s</SENummer>" % x["se"],
             "    </Afsender>",
             "    <Regel>%s</Regel>" % esc(x["rule"]),
             "    <PosteringAntal>%d</PosteringAntal>" % len(x["lines"]),
             "    <DebetTotal>%s</DebetTotal>" % dec(total),
             "    <KreditTotal>%s</KreditTotal>" % dec(total),
             "  </BilagHoved>",
             "  <Posteringer>"]
        for i, (acc, debit, amount, text) in enumerate(x["lines"], 1):
            o += ["    <Postering>",
                  "      <PosteringUUID>%s</PosteringUUID>" % uuid_from("posting|%s|%d" % (vid, i)),
                  "      <Kontonummer>%s</Kontonummer>" % esc(acc),
                  "      <Beloeb>%s</Beloeb>" % dec(amount),
                  "      <DebetKreditIndikator>%s</DebetKreditIndikator>" % ("D" if debit else "K"),
                  "      <Bogfoeringsdato>%s</Bogfoeringsdato>" % self.nightstr,
                  "      <Posteringstekst>%s</Posteringstekst>" % esc(text),
                  "    </Postering>"]
        o += ["  </Posteringer>", "</Finansbilag>"]
        return "\n".join(o) + "\n"


def period_of_month(m):
    return (m // 100) * 10 + (1 if m % 100 <= 6 else 2)


POSTINGS_HEADER = ("id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right;"
                   "account;net;vat;opkraevnings_id;periode;linjer\n")

EXPLAINED_OUT = {"dublet", "aftalekommune", "bor-i-egen-kommune", "foredrag-ikke-refusion",
                 "for-sent-indberettet"}

OUT_TEXTS = {
    "cpr-ugyldig": "CPR-nummeret kan ikke læses, skolen retter listen / the CPR number cannot be read, the school corrects the list",
    "uden-for-periode": "timeåret passer ikke med holdets datoer, skolen retter listen / the year of the hours does not fit the course dates",
    "foredrag-ikke-refusion": "foredrag giver ikke refusion (folkeoplysningsloven § 43 stk. 2) / lectures give no refund",
    "takst-mangler": "ingen takst for formen og året i refusion.conf / no rate for the form and year in refusion.conf",
    "dublet": "deltageren er allerede med på holdet / the participant is already on the course",
    "ukendt-i-cpr": "CPR-nummeret er ikke i bopælsudtrækket / the CPR number is not in the residence extract",
    "bopael-ukendt-ved-start": "bopælen ved kursusstart er ukendt / the residence at course start is unknown",
    "bor-i-egen-kommune": "deltageren boede i kommunen ved kursusstart / the participant lived here at course start",
    "aftalekommune": "aftale med bopælskommunen om gensidigt frafald / an agreement with the home municipality waives the refund",
    "for-sent-indberettet": "listen kom efter fristen / the list came after the deadline",
}

IND_TEXTS = {
    "forkert-modtager": "opkrævningen er ikke til os / the charge is not addressed to us",
    "aftalekommune": "aftale om gensidigt frafald af refusion / an agreement waives the refund",
    "cpr-ugyldig": "CPR-nummeret kan ikke læses / the CPR number cannot be read",
    "foredrag": "foredrag giver ikke refusion (§ 43 stk. 2) / lectures give no refund",
    "dublet": "linjen er opkrævet før / the line was charged before",
    "ikke-bopael-ved-start": "deltageren boede ikke i kommunen ved kursusstart / the participant did not live here at course start",
    "takst-mangler": "ingen takst for formen og året / no rate for the form and year",
    "takst-afviger": "taksten er højere end årets takst / the rate is above the year's rate",
    "beloeb-afviger": "beløbet er højere end timer gange takst / the amount is above hours times rate",
    "sum-afviger": "filens total er ikke summen af linjerne / the file's total is not the sum of its lines",
}


def model_main(argv):
    a = {}
    it = iter(argv)
    for k in it:
        a[k.lstrip("-")] = next(it)
    for need in ("conf", "schemas", "drops", "state", "out", "date"):
        if need not in a:
            raise SystemExit("model: --%s is required" % need)
    sys.exit(Model(a).run())

# ------------------------------------------------------------ generator



# The generator mirrors the shipped conf/refusion.conf and kommuner.conf:
OWN = "0163"
RATES = {(2025, "almen"): 1098, (2025, "handicap"): 7594,
         (2026, "almen"): 1136, (2026, "handicap"): 7852}
AGREEMENT = ["0165", "0151", "0153", "0155", "0240", "0190", "0157", "0159", "0161",
             "0167", "0169", "0183", "0173", "0230", "0175", "0185", "0187"]
PAYERS = ["0101", "0147", "0265", "0461", "0751", "0851", "0217", "0219", "0253", "0259",
          "0630", "0791"]
NAMES = {"0101": "København", "0147": "Frederiksberg", "0265": "Roskilde", "0461": "Odense",
         "0751": "Aarhus", "0851": "Aalborg", "0217": "Helsingør", "0219": "Hillerød",
         "0253": "Greve", "0259": "Køge", "0630": "Vejle", "0791": "Viborg", "0163": "Herlev"}
FIRST = ["Anne", "Bo", "Cecilie", "Dennis", "Emma", "Frederik", "Grethe", "Henrik", "Ida",
         "Jørgen", "Karin", "Lasse", "Mette", "Niels", "Ole", "Pia", "Rasmus", "Søren",
         "Tove", "Ulla", "Vagn", "Åse", "Ærtebjerg"]
LAST = ["Opdigtsen", "Påhitsen", "Fiktivsen", "Prøvegaard", "Eksempelsen", "Testrup",
        "Skinholt", "Lånebæk", "Østergaard-Attrap", "Modelsen"]
N1, N2, N3 = 20250630, 20250710, 20270115


def day_from_number(n):
    """The inverse of day_number()."""
    z = n + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + (m <= 2)) * 10000 + m * 100 + d


def day_add(d, n):
    return day_from_number(day_number(d) + n)


class Gen:
    def __init__(self, seed, size):
        self.rnd = random.Random(seed)
        self.size = size
        self.used = set()
        self.res = {}               # cpr -> residence rows (kommune, fra, til, betal)
        self.files = {}             # (school, date) -> lines
        self.exp = {N1: [], N2: [], N3: []}
        self.charges = {}           # (night, K, period) -> [lines, amount]
        self.keys = set()           # dedup keys used, so none collide by chance
        self.ind = []
        self.hold = 0

    def cpr(self):
        while True:
            d, m, yy = self.rnd.randint(1, 28), self.rnd.randint(1, 12), self.rnd.randint(30, 99)
            serial = "%d%03d" % (self.rnd.randint(0, 3), self.rnd.randint(0, 999))
            c = "%02d%02d%02d%s" % (d + 60, m, yy, serial)
            if c not in self.used:
                self.used.add(c)
                return c

    def name(self):
        return "%s %s" % (self.rnd.choice(FIRST), self.rnd.choice(LAST))

    def person(self, code, since=20000101, betal=""):
        c = self.cpr()
        self.res[c] = [(code, since, 0, betal)]
        return c

    def holdnr(self, school):
        self.hold += 1
        return "%s-%d" % ({"NORD": "N", "OEST": "Ø", "MUSIK": "M"}[school], 100 + self.hold)

    def start(self, year=2025, half=1):
        lo = 1 if half == 1 else 7
        return year * 10000 + self.rnd.randint(lo, lo + 4) * 100 + self.rnd.randint(1, 28)

    def hours(self, school):
        h = self.rnd.randint(4, 40) * 100
        if school != "NORD" and self.rnd.random() < 0.3:
            h += self.rnd.choice([25, 50, 75, 33])
        return h

    def add(self, night, school, date, line):
        self.files.setdefault((school, date), []).append(line)
        return line

    def line(self, school, cpr, start=None, form="almen", hours=None, stated="", slut=None, aar=None,
             raw=None, holdnr=None):
        start = start or self.start()
        if slut is None:
            slut = day_add(start, self.rnd.randint(28, 90))
        return {"school": school, "holdnr": holdnr or self.holdnr(school), "start": start,
                "slut": slut, "cpr": cpr, "raw": raw if raw is not None else cpr,
                "name": self.name(), "hours": hours if hours is not None else self.hours(school),
                "form": form, "stated": stated, "aar": aar}

    def expect(self, night, reason, key, amount):
        self.exp[night].append("%s;%s;%s" % (reason, key, kr(amount)))

    def charge(self, night, k, period, amount):
        c = self.charges.setdefault((night, k, period), [0, 0])
        c[0] += 1
        c[1] += amount

    def value(self, ln, year=None):
        rate = RATES.get((year or ln["start"] // 10000, ln["form"]))
        return kroner_value(ln["hours"], rate) if rate else 0

    def dk(self, ln):
        return (ln["cpr"], ln["school"], ln["holdnr"], ln["aar"] or ln["start"] // 10000)

    def outgoing(self):
        rnd = self.rnd
        schools = ["NORD", "OEST", "MUSIK"]
        d1 = {"NORD": 20250620, "OEST": 20250615, "MUSIK": 20250618}
        d1b = {"NORD": 20250627, "OEST": 20250625, "MUSIK": 20250629}
        charged = []
        # every reason at least once, in every school where it can occur
        cases = (["charge"] * max(1, self.size - 40) +
                 ["cpr-ugyldig"] * 3 + ["uden-for-periode-csv"] * 2 + ["uden-for-periode-xml"] +
                 ["foredrag"] * 3 + ["takst-mangler"] * 2 + ["dublet-file"] * 3 +
                 ["dublet-files"] * 3 + ["dublet-uncharged"] + ["ukendt-i-cpr"] * 3 +
                 ["bopael-start"] * 2 + ["bopael-overlap"] + ["bopael-christiansoe"] +
                 ["bor-i-egen-kommune"] * 3 + ["aftalekommune"] * 3 + ["betalingskommune"] * 2 +
                 ["moved"] * 2 + ["stated"] * 2 + ["half-up"])
        rnd.shuffle(cases)
        for case in cases:
            school = rnd.choice(schools)
            date = d1[school]
            if case in ("charge", "moved", "stated", "betalingskommune", "half-up"):
                k = rnd.choice(PAYERS)
                if case == "betalingskommune":
                    c = self.person(OWN, betal=k)       # § 43 stk. 3: Herlev's register, k pays
                elif case == "moved":
                    c = self.cpr()
                    st = self.start()
                    moved = day_add(st, -rnd.randint(1, 40))
                    self.res[c] = [(rnd.choice(PAYERS + [OWN]), 19990101, moved, ""), (k, moved, 0, "")]
                else:
                    c = self.person(k)
                form = "handicap" if rnd.random() < 0.2 else "almen"
                ln = self.line(school if case != "stated" else "OEST", c, form=form,
                               hours=1225 if case == "half-up" else None,
                               stated=NAMES[rnd.choice([x for x in NAMES if x != k])] if case == "stated"
                               else (NAMES[k] if rnd.random() < 0.3 else ""))
                if case == "half-up":
                    ln["form"], ln["school"] = "almen", "OEST"
                if case == "moved":
                    ln["start"] = st
                    ln["slut"] = day_add(st, 60)
                sch = ln["school"]
                self.add(N1, sch, d1[sch], ln)
                self.charge(N1, k, 20251, self.value(ln))
                charged.append(ln)
            elif case == "cpr-ugyldig":
                raw = rnd.choice(["601385-1234", "320185-1234", "12345678", "abcdef-ghij", "9913401234"])
                ln = self.line(school, ZERO_CPR, raw=raw)
                self.add(N1, school, date, ln)
                self.expect(N1, "cpr-ugyldig", "UKENDT", self.value(ln))
            elif case == "uden-for-periode-csv":
                sch = rnd.choice(["NORD", "OEST"])
                c = self.person(rnd.choice(PAYERS))
                st = self.start()
                ln = self.line(sch, c, start=st, slut=day_add(st, -rnd.randint(1, 30)))
                self.add(N1, sch, d1[sch], ln)
                self.expect(N1, "uden-for-periode", "UKENDT", self.value(ln))
            elif case == "uden-for-periode-xml":
                c = self.person(rnd.choice(PAYERS))
                ln = self.line("MUSIK", c, aar=2024)
                self.add(N1, "MUSIK", d1["MUSIK"], ln)
                self.expect(N1, "uden-for-periode", "UKENDT", 0)     # no 2024 rate: value 0
            elif case == "foredrag":
                where = rnd.choice(["payer", "own", "unknown"])
                k = rnd.choice(PAYERS)
                c = self.person(k) if where == "payer" else self.person(OWN) if where == "own" else self.cpr()
                ln = self.line(school, c, form="foredrag")
                self.add(N1, school, date, ln)
                self.expect(N1, "foredrag-ikke-refusion",
                            k if where == "payer" else OWN if where == "own" else "UKENDT", 0)
            elif case == "takst-mangler":
                sch = rnd.choice(["NORD", "OEST"])
                c = self.person(rnd.choice(PAYERS))
                ln = self.line(sch, c, form="instrumental")
                self.add(N1, sch, d1[sch], ln)
                self.expect(N1, "takst-mangler", "UKENDT", 0)
            elif case in ("dublet-file", "dublet-files"):
                k = rnd.choice(PAYERS)
                c = self.person(k)
                ln = self.line(school, c)
                self.add(N1, school, date, ln)
                self.charge(N1, k, 20251, self.value(ln))
                charged.append(ln)
                dup = dict(ln)
                self.add(N1, school, date if case == "dublet-file" else d1b[school], dup)
                self.expect(N1, "dublet", k, self.value(ln))
            elif case == "dublet-uncharged":
                c = self.cpr()                               # not in the extract
                ln = self.line(school, c)
                self.add(N1, school, date, ln)
                self.expect(N1, "ukendt-i-cpr", "UKENDT", self.value(ln))
                self.add(N1, school, d1b[school], dict(ln))
                self.expect(N1, "dublet", "UKENDT", self.value(ln))
            elif case == "ukendt-i-cpr":
                ln = self.line(school, self.cpr())
                self.add(N1, school, date, ln)
                self.expect(N1, "ukendt-i-cpr", "UKENDT", self.value(ln))
            elif case == "bopael-start":
                c = self.cpr()
                ln = self.line(school, c)
                self.res[c] = [(rnd.choice(PAYERS), day_add(ln["start"], rnd.randint(1, 20)), 0, "")]
                self.add(N1, school, date, ln)
                self.expect(N1, "bopael-ukendt-ved-start", "UKENDT", self.value(ln))
            elif case == "bopael-overlap":
                c = self.cpr()
                self.res[c] = [("0101", 20000101, 0, ""), ("0147", 20100101, 0, "")]
                ln = self.line(school, c)
                self.add(N1, school, date, ln)
                self.expect(N1, "bopael-ukendt-ved-start", "UKENDT", self.value(ln))
            elif case == "bopael-christiansoe":
                c = self.person("0411")
                ln = self.line(school, c)
                self.add(N1, school, date, ln)
                self.expect(N1, "bopael-ukendt-ved-start", "UKENDT", self.value(ln))
            elif case == "bor-i-egen-kommune":
                ln = self.line(school, self.person(OWN))
                self.add(N1, school, date, ln)
                self.expect(N1, "bor-i-egen-kommune", OWN, self.value(ln))
            elif case == "aftalekommune":
                k = rnd.choice(AGREEMENT)
                ln = self.line(school, self.person(k))
                self.add(N1, school, date, ln)
                self.expect(N1, "aftalekommune", k, self.value(ln))
        # night 2 (2025-07-10): a supplementary list per school: repeats of
        # charged lines (dublet across nights), new H1 lines (a supplementary
        # charge), an H2 line (waits for its period to end)
        for school in schools:
            date = {"NORD": 20250705, "OEST": 20250708, "MUSIK": 20250710}[school]
            mine = [x for x in charged if x["school"] == school]
            for ln in rnd.sample(mine, min(2, len(mine))):
                self.add(N2, school, date, dict(ln))
                self.expect(N2, "dublet", self.res[ln["cpr"]][-1][3] or self.res[ln["cpr"]][-1][0]
                            if ln["cpr"] in self.res else "UKENDT", self.value(ln))
            for _ in range(2):
                k = rnd.choice(PAYERS)
                ln = self.line(school, self.person(k))
                self.add(N2, school, date, ln)
                self.charge(N2, k, 20251, self.value(ln))
            k = rnd.choice(PAYERS)
            ln = self.line(school, self.person(k), start=self.start(2025, 2))
            self.add(N2, school, date, ln)
            self.charge(N3, k, 20252, self.value(ln))        # charged when H2 2025 has ended
        # night 3 (2027-01-15): a late list for H1 2025 (for-sent-indberettet)
        # and H2 2026 lines (charged at the 2026 rates)
        for school in schools:
            date = {"NORD": 20270105, "OEST": 20270110, "MUSIK": 20270115}[school]
            k = rnd.choice(PAYERS)
            ln = self.line(school, self.person(k))
            self.add(N3, school, date, ln)
            self.expect(N3, "for-sent-indberettet", k, self.value(ln))
            for _ in range(2):
                k = rnd.choice(PAYERS)
                ln = self.line(school, self.person(k), start=self.start(2026, 2))
                self.add(N3, school, date, ln)
                self.charge(N3, k, 20262, self.value(ln))
        # every exception of an earlier night is still there on the later ones
        self.exp[N2] = self.exp[N1] + self.exp[N2]
        self.exp[N3] = self.exp[N2] + self.exp[N3]

    def incoming(self):
        """Charges to us (0163) for 2025-1, landed by 2025-06-30."""
        rnd = self.rnd
        files = {("0147", 20250610): [], ("0147", 20250620): [], ("0751", 20250625): [],
                 ("0159", 20250622): []}

        def ind_line(C, cpr, form="almen", hours=None, takst=None, amount=None, payer=OWN, raw=None,
                     start=None, holdnr=None):
            hours = hours if hours is not None else rnd.randint(4, 30) * 100
            takst = takst if takst is not None else RATES.get((2025, form), 1200)
            amount = amount if amount is not None else kroner_value(hours, takst)
            self.hold += 1
            return {"C": C, "payer": payer, "cpr": cpr, "raw": raw or cpr, "form": form, "hours": hours,
                    "takst": takst, "amount": amount, "start": start or self.start(),
                    "holdnr": holdnr or "V-%d" % self.hold, "name": self.name(),
                    "ident": "%s-2025-1-0163" % C}

        def exp(reason, C, amount):
            self.ind.append("%s;%s;%s" % (reason, C, kr(amount)))
        for (C, date), ls in files.items():
            if C == "0159":
                for _ in range(2):
                    ln = ind_line(C, self.person(OWN))
                    ls.append(ln)
                    exp("aftalekommune", C, ln["amount"])
                continue
            for _ in range(3):                                   # accepted
                ls.append(ind_line(C, self.person(OWN), form=rnd.choice(["almen", "handicap"])))
            ln = ind_line(C, self.person(OWN), payer="0265")
            ls.append(ln)
            exp("forkert-modtager", C, ln["amount"])
            ln = ind_line(C, ZERO_CPR, raw="611399-1234")
            ls.append(ln)
            exp("cpr-ugyldig", C, ln["amount"])
            ln = ind_line(C, self.person(OWN), form="foredrag", takst=2555)
            ls.append(ln)
            exp("foredrag", C, ln["amount"])
            ln = ind_line(C, self.person(C))                     # lived in C at the start
            ls.append(ln)
            exp("ikke-bopael-ved-start", C, ln["amount"])
            ln = ind_line(C, self.cpr())                         # not in our extract
            ls.append(ln)
            exp("ikke-bopael-ved-start", C, ln["amount"])
            ln = ind_line(C, self.person(OWN), form="instrumental", takst=3825)
            ls.append(ln)
            exp("takst-mangler", C, ln["amount"])
            ln = ind_line(C, self.person(OWN), takst=1150)
            ls.append(ln)
            exp("takst-afviger", C, ln["amount"] - kroner_value(ln["hours"], 1098))
            ln = ind_line(C, self.person(OWN))
            ln["amount"] += 1000
            ls.append(ln)
            exp("beloeb-afviger", C, 1000)
            dup = ind_line(C, self.person(OWN))
            ls.append(dup)
            ls.append(dict(dup))                                 # dublet within the file
            exp("dublet", C, dup["amount"])
        keep = files[("0147", 20250610)][0]
        files[("0147", 20250620)].append(dict(keep, ident="0147-2025-1-0163"))   # across files
        exp("dublet", "0147", keep["amount"])
        self.ind_files = files

    def write(self, drops, expected):
        for (school, date), lines in sorted(self.files.items()):
            if school == "NORD":
                rows = ["%s;Hold %s;%s;%s;%s;%s;%s;%s" % (
                    l["holdnr"], l["holdnr"], fmt_dmy(l["start"]), fmt_dmy(l["slut"]),
                    l["raw"] if l["cpr"] == ZERO_CPR else fmt_cpr(l["raw"]), l["name"],
                    hours_text(l["hours"]), l["form"].capitalize()) for l in lines]
                gwrite(os.path.join(drops, "aftenskoler/AFS_NORD_%d.csv" % date),
                       "Holdnr;Holdnavn;Startdato;Slutdato;CPR-nr;Navn;Lektioner;Undervisningsform",
                       rows, "utf-8", bom=True)
            elif school == "OEST":
                code = {"almen": "alm", "handicap": "hc", "instrumental": "instr", "foredrag": "foredrag"}
                rows = ["%s;%s;%s;%s;%s;%s;%s;%s" % (
                    l["holdnr"], l["raw"], l["name"], fmt_day(l["start"]), fmt_day(l["slut"]),
                    hours_text(l["hours"]), code[l["form"]], l["stated"]) for l in lines]
                gwrite(os.path.join(drops, "aftenskoler/AFS_OEST_%d.csv" % date),
                       "Hold;Cpr;Fulde navn;Kursusstart;Kursusslut;Deltagertimer;Type;Hjemkommune",
                       rows, "cp1252", crlf=True)
            else:
                x = ['<?xml version="1.0" encoding="UTF-8"?>',
                     '<Deltagerliste skole="Musikaftenskolen" periode="%d-%d">' % (date // 10000, 1 if date // 100 % 100 <= 6 else 2)]
                for l in lines:
                    aar = ' aar="%d"' % l["aar"] if l["aar"] else ""
                    h = l["hours"]
                    x.append('  <Hold nr="%s" navn="Hold %s" start="%s" slut="%s" form="%s"%s>' % (
                        l["holdnr"], l["holdnr"], fmt_day(l["start"]), fmt_day(l["slut"]), l["form"], aar))
                    x.append('    <Deltager cpr="%s" navn="%s" timer="%d%s"/>' % (
                        l["raw"], l["name"], h // 100, "" if h % 100 == 0 else ".%02d" % (h % 100)))
                    x.append("  </Hold>")
                x.append("</Deltagerliste>")
                p = os.path.join(drops, "aftenskoler/AFS_MUSIK_%d.xml" % date)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "w", encoding="utf-8", newline="") as f:
                    f.write("\n".join(x) + "\n")
                open(p + ".done", "w").close()
        for night in (N1, N2, N3):
            rows = []
            for c in sorted(self.res):
                for k, fra, til, betal in self.res[c]:
                    rows.append("%s;%s;%s;%s;%s" % (fmt_cpr(c), k, fmt_day(fra), fmt_day(til) if til else "", betal))
            gwrite(os.path.join(drops, "cpr/CPR_Bopael_%d.csv" % night),
                   "CPR;Kommunekode;Fra;Til;Betalingskommune", rows, "utf-8")
        for (C, date), ls in sorted(self.ind_files.items()):
            if C == "0751":
                rows = ["%s;%s;2025-1;Aarhus Aftenskole;%s;%s;%s;%s;%s;%s;%s;%s;%s" % (
                    l["C"], l["payer"], l["holdnr"], fmt_day(l["start"]),
                    l["raw"] if l["cpr"] == ZERO_CPR else fmt_cpr(l["cpr"]).replace("-", ""), l["name"],
                    l["form"], hours_text(l["hours"]), dkk(l["takst"]), dkk(l["amount"]), l["ident"]) for l in ls]
                lsum = sum(l["amount"] for l in ls)
                rows.append("0751;;;;I alt;;;;;;;%s;" % dkk(lsum + 5000))
                self.ind.append("sum-afviger;0751;%s" % kr(5000))
                gwrite(os.path.join(drops, "refusion/MKR_0751_%d.csv" % date),
                       "Kommune;Bopælskommune;Halvår;Aftenskole;Hold;Start;Personnummer;Navn;"
                       "Undervisningsform;Timer;Sats;Beløb;Fakturanr", rows, "cp1252", crlf=True)
            else:
                rows = ["%s;%s;2025-1;Aftenskole Vest;%s;%s;%s;%s;%s;%s;%s;%s;%s" % (
                    l["C"], l["payer"], l["holdnr"], fmt_day(l["start"]),
                    l["raw"] if l["cpr"] == ZERO_CPR else fmt_cpr(l["cpr"]), l["name"], l["form"],
                    hours_text(l["hours"]), kr(l["takst"]), kr(l["amount"]), l["ident"]) for l in ls]
                gwrite(os.path.join(drops, "refusion/MKR_%s_%d.csv" % (C, date)),
                       "Opkraevende_kommune;Betalende_kommune;Periode;Skole;Holdnr;Kursusstart;CPR;"
                       "Navn;Form;Timer;Takst;Beloeb;Opkraevnings_id", rows, "utf-8", bom=True)
        for night, suffix in ((N1, ""), (N2, ".2"), (N3, ".3")):
            with open(expected + suffix, "w") as f:
                f.writelines(l + "\n" for l in sorted(self.exp[night], key=lambda s: s.encode()))
        with open(expected + ".charges", "w") as f:
            for (night, k, period), (n, a) in sorted(self.charges.items()):
                f.write("%s;%s;%s;%d;%s\n" % (fmt_day(night), k, fmt_period(period), n, kr(a)))
        with open(expected + ".ind", "w") as f:
            f.writelines(l + "\n" for l in sorted(self.ind, key=lambda s: s.encode()))


def kroner_value(hundredths, rate):
    """The answer key's own arithmetic (independent of the model's
    round_half_up): hours x kr. per hour in decimal kroner, rounded to
    whole øre, half up."""
    v = (decimal.Decimal(hundredths) / 100) * (decimal.Decimal(rate) / 100)
    return int(v.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP) * 100)


def fmt_dmy(d):
    return "%02d-%02d-%04d" % (d % 100, d // 100 % 100, d // 10000)


def dkk(ore):
    """Danish notation with thousands dots: 1.234,56."""
    s = "-" if ore < 0 else ""
    ore = abs(ore)
    return "%s%s,%02d" % (s, "{:,}".format(ore // 100).replace(",", "."), ore % 100)


def gwrite(path, header, rows, enc, bom=False, crlf=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = header + "\n" + "".join(r + "\n" for r in rows)
    if crlf:
        text = text.replace("\n", "\r\n")
    data = text.encode(enc)
    with open(path, "wb") as f:
        f.write((b"\xef\xbb\xbf" if bom else b"") + data)
    open(path + ".done", "w").close()


def gen_main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    seed, drops, expected = int(argv[0]), argv[1], argv[2]
    size = int(argv[3]) if len(argv) > 3 else 60
    g = Gen(seed, size)
    g.outgoing()
    g.incoming()
    g.write(drops, expected)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "model":
        model_main(sys.argv[2:])
    else:
        gen_main(sys.argv[1:])
