#!/usr/bin/env python3
"""Reference model and seeded generator for match-betalingsplaner (issue 15).

usage:
  gen-betalingsplaner.py model NIGHTS-ROOT NIGHT OUT [--conf DIR] [--schemas DIR]
                         [--set NAME=VALUE ...] [--extra NIGHT=DIR ...]
      Runs every night NIGHTS-ROOT/<YYYY-MM-DD>/drops up to NIGHT, in date
      order, on one state, as bin/pipeline run would: each night's
      complete files (a '.done' beside them) land on that night, .zip and
      .tar.gz bundles are unpacked beside themselves, and the stage writes
      OUT/<night>/{summary,exceptions,postings,suggestions}/betalingsplaner.csv,
      OUT/<night>/vouchers/vouchers.csv and OUT/<night>/vouchers/ID.xml
      (the vouchers of rule plan-bogfoering issued that night), and
      OUT/<night>/status-betalingsplaner (the stage's note and refusals).
      --extra NIGHT=DIR lands DIR's files on NIGHT too (hostile files laid
      over a fixture night). --set overrides a betalingsplaner.conf setting
      (credit-notes=post). --rerun NIGHT: after the last night, runs the
      stage again for the earlier NIGHT into OUT/rerun-NIGHT (its bytes
      must equal OUT/NIGHT: the store is read as of the night).
  gen-betalingsplaner.py gen SEED NIGHTS-ROOT EXPECTED [N] [--bundle K]
      Writes a seeded scenario (a history night and the night 2025-03-31)
      with N clean invoices (default 40) and every reason injected at
      least once, and the answer key EXPECTED: 'reason;key;amount' per
      exception of the night, sorted bytewise (as tests/lib-recon.sh's
      'breaks' prints them); EXPECTED.postings 'key;cpr;amount' per
      auto-posted invoice; EXPECTED.suggestions 'cvr;ean;kadence'.
      --bundle K packs the night's invoices K to a .zip (the benchmark).
  gen-betalingsplaner.py big KIND DROPS
      Writes one large OIOUBL file (with its .done) under DROPS/faktura,
      too large to keep in the repository: KIND 'attachment' is a real
      invoice with a 3 MB base64 PDF attachment (accepted, auto-posted on
      P-SKOLE-ORD); 'huge-text' has an attachment of 10.000.001 bytes, one
      more than libxml2 allows a text node (refused: huge text node).
  gen-betalingsplaner.py check SEED [N]
      gen + model in a temporary directory; exits 1 unless the model's
      exceptions, postings and suggestions equal the answer key.

Python 3, standard library only. Money is integer øre throughout.
"""
import argparse
import csv
import hashlib
import io
import os
import random
import re
import shutil
import sys
import tarfile
import tempfile
import zipfile
import xml.parsers.expat
from datetime import date, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
RECON = "betalingsplaner"
BOM = "\ufeff"

# ---------------------------------------------------------------- basics


def kr(ore):
    """money_format(): -5837,42, no thousands dots."""
    sign = "-" if ore < 0 else ""
    ore = abs(ore)
    return "%s%d,%02d" % (sign, ore // 100, ore % 100)


def kr_dots(ore):
    sign = "-" if ore < 0 else ""
    ore = abs(ore)
    return "%s%s,%02d" % (sign, "{:,}".format(ore // 100).replace(",", "."), ore % 100)


def dec_point(ore):
    """finansbilag.c decimal(): 126.03."""
    return kr(ore).replace(",", ".")


DK_MONEY = re.compile(r"^\s*(-?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?\s*$")


def parse_dk(s):
    """Strict Danish money (money_parse): 1.544,00, 397,00, 0 -> øre."""
    m = DK_MONEY.match(s)
    if not m:
        raise ValueError("not an amount in Danish notation")
    whole = int(m.group(2).replace(".", ""))
    frac = (m.group(3) or "0").ljust(2, "0")
    v = whole * 100 + int(frac)
    return -v if m.group(1) else v


XS_DECIMAL = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?$")


def parse_xs_decimal(s):
    """An XML decimal (4250.00, -0.01, 397) -> øre; more than 2 decimals only
    when they are zeros; anything else refused, never rounded."""
    t = s.strip()
    m = XS_DECIMAL.match(t)
    if not m or (m.group(2) == "" and not (m.group(3) or "")):
        raise ValueError("not an XML decimal")
    frac = m.group(3) or ""
    if len(frac) > 2:
        if frac[2:].strip("0"):
            raise ValueError("more than 2 decimals")
        frac = frac[:2]
    v = int(m.group(2) or "0") * 100 + int(frac.ljust(2, "0"))
    return -v if m.group(1) == "-" else v


def parse_day(s):
    """xs:date 2025-03-11 (a time zone suffix Z or +01:00 is ignored)."""
    m = re.match(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?\s*$", s)
    if not m:
        raise ValueError("not a date")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError("not a date")


def iso(d):
    return d.strftime("%Y-%m-%d")


def month_of(d):
    return d.year * 100 + d.month


def month_str(m):
    return "%04d-%02d" % (m // 100, m % 100)


def add_months(d, k):
    """Months added with end-of-month clamping (31-01 + 1 -> 28/29-02)."""
    y, m = divmod(d.year * 12 + (d.month - 1) + k, 12)
    m += 1
    last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(d.day, last))


CADENCE = {"UGE": ("d", 7), "MAANED": ("m", 1), "KVARTAL": ("m", 3),
           "HALVAAR": ("m", 6), "AAR": ("m", 12)}


def add_period(d, cadence, times=1):
    kind, n = CADENCE[cadence]
    return d + timedelta(days=7 * times) if kind == "d" else add_months(d, n * times)


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def cvr_valid(c):
    return len(c) == 8 and c.isdigit() and \
        sum(int(a) * b for a, b in zip(c, [2, 7, 6, 5, 4, 3, 2, 1])) % 11 == 0


def ean_valid(e):
    if len(e) != 13 or not e.isdigit():
        return False
    s = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(e[:12]))
    return (10 - s % 10) % 10 == int(e[12])


def cpr_valid(ten, substitute=True):
    """10 digits; a real date in the 7th digit's century, or (substitute)
    the day raised by 60 (61-91). Modulus 11 is not required."""
    if len(ten) != 10 or not ten.isdigit():
        return False
    dd, mm, yy, c7 = int(ten[0:2]), int(ten[2:4]), int(ten[4:6]), int(ten[6])
    if substitute and 61 <= dd <= 91:
        dd -= 60
    if c7 <= 3:
        year = 1900 + yy
    elif c7 in (4, 9):
        year = 2000 + yy if yy <= 36 else 1900 + yy
    else:
        year = 2000 + yy if yy <= 57 else 1800 + yy
    try:
        date(year, mm, dd)
        return True
    except ValueError:
        return False


CPR_RE = re.compile(r"(?<![0-9])([0-9]{6})-?([0-9]{4})(?![0-9])")


def find_cpr(texts):
    """The first valid CPR in texts (in order); (cpr, saw_invalid)."""
    bad = False
    for t in texts:
        for m in CPR_RE.finditer(t or ""):
            c = m.group(1) + m.group(2)
            if cpr_valid(c):
                return c, bad
            bad = True
    return "", bad


ATTEST_RE = re.compile(r"LAE([0-9]{3})")


def attest_types(texts):
    """Certificate types named in texts: LÆ 125, LAE125, Læ.125 -> LAE125."""
    found = []
    for t in texts:
        u = (t or "").upper().replace("Æ", "AE")
        u = re.sub(r"[\s.]", "", u)
        for m in ATTEST_RE.finditer(u):
            v = "LAE" + m.group(1)
            if v not in found:
                found.append(v)
    return found


def csv_field(s):
    """csvout: quoted only when it holds ';', '"', CR or LF."""
    s = "" if s is None else str(s)
    if any(c in s for c in ';"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def csv_line(fields):
    return ";".join(csv_field(f) for f in fields) + "\n"


def uuid_from(text):
    """voucher.c uuid_from(): UUID-shaped from SHA-256, version 5 bits."""
    x = "0123456789abcdef"
    h = list(sha(text))
    h[12] = "5"
    h[16] = x[8 | (x.index(h[16]) % 4)]
    h = "".join(h)
    return "-".join([h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]])


# ------------------------------------------------------------ conf files


def conf_words(line):
    """conffile.h: words split on blanks, "quotes" keep blanks, # comments."""
    words, cur, inq, have = [], [], False, False
    for ch in line.rstrip("\n"):
        if inq:
            if ch == '"':
                inq = False
            else:
                cur.append(ch)
        elif ch == '"':
            inq, have = True, True
        elif ch == "#":
            break
        elif ch in " \t\r":
            if have or cur:
                words.append("".join(cur))
            cur, have = [], False
        else:
            cur.append(ch)
    if have or cur:
        words.append("".join(cur))
    return words


def conf_read(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            w = conf_words(line)
            if w:
                out.append((n, w))
    return out


class Conf:
    def __init__(self, confdir, overrides=()):
        self.scope = set()
        self.cpr_places = ["line-note", "line-item-name", "header-note", "order-ref"]
        self.warn_days = 30
        self.basis = "payable"
        self.tolerance = 1
        self.credit_notes = "hold"
        self.history_months = 36
        self.stop_periods = 3
        self.suggest = {"min-invoices": 6, "max-cv-pct": 10, "window-months": 12,
                        "slack-days": 5, "margin-pct": 10}
        self.tariffs = []      # (type, from, min, max)
        self.landlords = {}    # cvr -> name
        takster = udlejere = None
        for n, w in conf_read(os.path.join(confdir, "betalingsplaner.conf")):
            d, a = w[0], w[1:]
            if d == "scope-ean":
                self.scope.update(a)
            elif d == "cpr-places":
                self.cpr_places = a
            elif d == "takster":
                takster = a[0]
            elif d == "udlejere":
                udlejere = a[0]
            elif d == "warn-plan-days":
                self.warn_days = int(a[0])
            elif d == "amount-basis":
                self.basis = a[0]
            elif d == "sum-tolerance":
                self.tolerance = parse_dk(a[0])
            elif d == "credit-notes":
                self.credit_notes = a[0]
            elif d == "history-months":
                self.history_months = int(a[0])
            elif d == "kadence-stop-perioder":
                self.stop_periods = int(a[0])
            elif d == "suggest":
                for k, v in zip(a[0::2], a[1::2]):
                    self.suggest[k] = int(v)
            else:
                raise SystemExit("betalingsplaner.conf:%d: unknown directive %s" % (n, d))
        for kv in overrides:
            k, v = kv.split("=", 1)
            if k == "credit-notes":
                self.credit_notes = v
            elif k == "warn-plan-days":
                self.warn_days = int(v)
            elif k == "amount-basis":
                self.basis = v
            elif k == "scope-ean":
                self.scope = set(v.split(","))
            else:
                raise SystemExit("--set: unknown %s" % k)
        if takster:
            for n, w in conf_read(os.path.join(confdir, takster)):
                if w[0] != "takst" or len(w) != 5:
                    raise SystemExit("%s:%d: takst TYPE FROM MIN MAX" % (takster, n))
                self.tariffs.append((w[1], parse_day(w[2]), parse_dk(w[3]), parse_dk(w[4])))
        if udlejere:
            for n, w in conf_read(os.path.join(confdir, udlejere)):
                if w[0] != "udlejer" or not cvr_valid(w[1]):
                    raise SystemExit("%s:%d: udlejer CVR NAME" % (udlejere, n))
                self.landlords[w[1]] = w[2] if len(w) > 2 else ""
        self.roles = {}
        for name in ("accounts.conf", "accounts.conf.add"):
            p = os.path.join(confdir, name)
            if os.path.exists(p):
                for n, w in conf_read(p):
                    if w[0] == "role":
                        self.roles[w[1]] = w[2]

    def tariff(self, typ, day):
        best = None
        for t, frm, lo, hi in self.tariffs:
            if t == typ and frm <= day and (best is None or frm > best[0]):
                best = (frm, lo, hi)
        return best


# --------------------------------------------------------------- schemas


class Column:
    def __init__(self, words):
        self.paths = [words[0]]
        self.field = words[1]
        self.opts = set()
        self.strip = None
        self.join = None
        self.empty_if = []
        i = 2
        while i < len(words):
            o = words[i]
            if o == "else":
                self.paths.append(words[i + 1])
                i += 2
                continue
            if o == "strip-prefix":
                self.strip = words[i + 1]
                i += 2
                continue
            if o == "join":
                self.join = words[i + 1]
                i += 2
                continue
            if o == "empty-if":
                i += 1
                while i < len(words) and words[i] not in ("else", "optional", "required"):
                    self.empty_if.append(words[i].upper())
                    i += 1
                continue
            self.opts.add(o)
            i += 1


class Schema:
    def __init__(self, path):
        self.name = os.path.basename(path)[:-len(".schema")]
        self.ns, self.requires, self.sets, self.cols = {}, [], {}, []
        self.root = self.row = self.store = None
        self.format = "csv"
        for n, w in conf_read(path):
            d = w[0]
            if d == "store":
                self.store = w[1]
            elif d == "format":
                self.format = w[1]
            elif d == "namespace":
                self.ns[w[1]] = w[2]
            elif d == "root":
                self.root = w[1]
            elif d == "row":
                self.row = w[1]
            elif d == "require":
                self.requires.append((w[1], w[2], w[3]))
            elif d == "set":
                self.sets[w[1]] = w[2]
            elif d == "column":
                self.cols.append(Column(w[1:]))
            elif d in ("encoding", "amount", "delimiter"):
                pass
            else:
                raise SystemExit("%s:%d: unknown directive %s" % (path, n, d))

    def qname(self, q):
        p, l = q.split(":")
        return (self.ns[p], l)


# ------------------------------------------------------------ secure XML

# The shared XML reader's limits (issue 14 names them; pipeline.conf may
# set them): a bigger file, a deeper tree or a bigger text node refuses the
# file; a value a column reads over FIELD_MAX refuses the row.
MAX_BYTES = 64 << 20          # xml-max-bytes
MAX_DEPTH = 64                # xml-max-depth
MAX_TEXT = 10000000           # libxml2's own limit without XML_PARSE_HUGE
FIELD_MAX = 4096              # field-max-bytes


class Refused(Exception):
    def __init__(self, line, why):
        super().__init__(why)
        self.line, self.why = line, why


class El:
    __slots__ = ("ns", "local", "attrs", "children", "parts", "line", "parent")

    def __init__(self, ns, local, attrs, line, parent):
        self.ns, self.local, self.attrs, self.line, self.parent = ns, local, attrs, line, parent
        self.children, self.parts = [], []

    def value(self):
        out = []

        def walk(e):
            for p in e.parts:
                if isinstance(p, str):
                    out.append(p)
                else:
                    walk(p)
        walk(self)
        return "".join(out)


def parse_xml(data):
    """The secure reader the XML input must be: a DOCTYPE refuses the file
    before anything in it is read (so no entity, no external entity, no
    DTD); size, depth and text limits. Returns the document element or
    raises Refused(line, why) with the shared reader's messages."""
    if len(data) > MAX_BYTES:
        raise Refused(0, "file larger than xml-max-bytes")
    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    stack, root = [], [None]
    textlen = {}

    def doctype(*a):
        raise Refused(p.CurrentLineNumber, "DOCTYPE refused: DTDs and entities are not accepted")

    def start(name, attrs):
        if len(stack) >= MAX_DEPTH:
            raise Refused(p.CurrentLineNumber, "deeper than xml-max-depth")
        ns, local = name.split(" ", 1) if " " in name else ("", name)
        a = {}
        for k, v in attrs.items():
            if len(v.encode("utf-8")) > MAX_TEXT:
                raise Refused(p.CurrentLineNumber, "attribute value too long")
            a[k.split(" ", 1)[1] if " " in k else k] = v
        e = El(ns, local, a, p.CurrentLineNumber, stack[-1] if stack else None)
        if stack:
            stack[-1].children.append(e)
            stack[-1].parts.append(e)
        else:
            root[0] = e
        stack.append(e)

    def end(name):
        stack.pop()

    def chars(s):
        if stack:
            e = stack[-1]
            n = textlen.get(id(e), 0) + len(s.encode("utf-8"))
            textlen[id(e)] = n
            if n > MAX_TEXT:
                raise Refused(p.CurrentLineNumber, "huge text node")
            if e.parts and isinstance(e.parts[-1], str):
                e.parts[-1] += s
            else:
                e.parts.append(s)

    p.StartDoctypeDeclHandler = doctype
    p.EntityDeclHandler = doctype
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.buffer_text = True
    try:
        p.Parse(data, True)
    except xml.parsers.expat.ExpatError as e:
        raise Refused(e.lineno, "not well-formed XML: " + xml.parsers.expat.ErrorString(e.code))
    if root[0] is None:
        raise Refused(0, "no document element")
    return root[0]


def split_top(s, sep):
    out, depth, cur, q = [], 0, [], False
    for ch in s:
        if ch == "'":
            q = not q
        if not q:
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
        if ch == sep and depth == 0 and not q:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


STEP = re.compile(r"^([^\[]+)((?:\[.*\])*)$")


def xpath(schema, node, path):
    """The XPath subset the schemas use: child steps PREFIX:NAME, '.',
    '..', a last step @ATTR, predicates [@a='v'] and [PREFIX:NAME='v']
    joined by ' or '. Returns nodes (El) or attribute strings."""
    if path.startswith("/"):
        cur = [("DOC", node)]
        steps = split_top(path[1:], "/")
    else:
        cur = [node]
        steps = split_top(path, "/")
    for st in steps:
        m = STEP.match(st)
        name, preds = m.group(1), m.group(2)
        nxt = []
        for c in cur:
            if name == ".":
                nxt.append(c)
            elif name == "..":
                if isinstance(c, El) and c.parent is not None:
                    nxt.append(c.parent)
            elif name.startswith("@"):
                if isinstance(c, El) and name[1:] in c.attrs:
                    nxt.append(c.attrs[name[1:]])
            else:
                ns, local = schema.qname(name)
                if isinstance(c, tuple):   # the document node
                    kids = [c[1]]
                else:
                    kids = c.children
                nxt.extend(k for k in kids if k.ns == ns and k.local == local)
        if preds:
            for pr in re.findall(r"\[([^\]]*)\]", preds):
                nxt = [n for n in nxt if pred_ok(schema, n, pr)]
        cur = nxt
    return cur


def pred_ok(schema, node, pred):
    for cond in pred.split(" or "):
        lhs, rhs = cond.split("=", 1)
        rhs = rhs.strip().strip("'")
        lhs = lhs.strip()
        if lhs.startswith("@"):
            if node.attrs.get(lhs[1:]) == rhs:
                return True
        else:
            for k in xpath(schema, node, lhs):
                if (k if isinstance(k, str) else k.value()).strip() == rhs:
                    return True
    return False


def text_of(n):
    return (n if isinstance(n, str) else n.value()).strip()


MONEY_FIELDS = {"amount", "net", "tax_excl", "tax_incl", "allowance", "charge", "prepaid",
                "rounding", "vat", "tax_rounding", "ac_allowance", "ac_charge", "lines_net"}
DAY_FIELDS = {"day", "period_start", "period_end", "due"}


class RowError(Exception):
    pass


def read_row(schema, row):
    rec = dict(schema.sets)
    for c in schema.cols:
        label = c.paths[0]
        if "line-number" in c.opts:
            ns = xpath(schema, row, c.paths[0])
            rec[c.field] = ns[0].line if ns else 0
            continue
        if "count" in c.opts:
            rec[c.field] = len(xpath(schema, row, c.paths[0]))
            continue
        if "sum" in c.opts:
            total = 0
            for n in xpath(schema, row, c.paths[0]):
                try:
                    total += parse_xs_decimal(text_of(n))
                except ValueError as e:
                    raise RowError("%s: %s" % (label, e))
            rec[c.field] = -total if "negate" in c.opts else total
            continue
        if "first-match-cpr" in c.opts:
            found = ""
            for p in c.paths:
                found, _ = find_cpr(text_of(n) for n in xpath(schema, row, p))
                if found:
                    break
            rec[c.field] = found or ("0000000000" if "invalid-as-zero" in c.opts else "")
            continue
        nodes = []
        for p in c.paths:
            nodes = [n for n in xpath(schema, row, p) if text_of(n)]
            if nodes:
                break
        if c.join is not None:
            val = c.join.join(text_of(n) for n in nodes)
            if len(val.encode("utf-8")) > FIELD_MAX:
                raise RowError("%s: value longer than %d bytes" % (label, FIELD_MAX))
        else:
            if "unique" in c.opts and len(nodes) > 1:
                raise RowError("%s: more than one value" % label)
            val = text_of(nodes[0]) if nodes else ""
            if len(val.encode("utf-8")) > FIELD_MAX:
                raise RowError("%s: value longer than %d bytes" % (label, FIELD_MAX))
        if c.strip and val.startswith(c.strip):
            val = val[len(c.strip):].strip()
        if val.upper() in c.empty_if:
            val = ""
        if not val:
            if "required" in c.opts:
                raise RowError("%s: missing" % label)
            rec[c.field] = None if (c.field in MONEY_FIELDS or c.field in DAY_FIELDS) else ""
            continue
        try:
            if "month-of-date" in c.opts:
                rec[c.field] = month_of(parse_day(val))
            elif c.field in DAY_FIELDS:
                rec[c.field] = parse_day(val)
            elif "decimal-point" in c.opts:
                v = parse_xs_decimal(val)
                rec[c.field] = -v if "negate" in c.opts else v
            else:
                rec[c.field] = val
        except ValueError as e:
            raise RowError("%s: %s" % (label, e))
    return rec


def load_oioubl(schemas, relpath, data):
    """normalise for one faktura/*.xml file: (doc rows, line rows) or
    Refused. Every schema whose root is the document element reads it."""
    root = parse_xml(data)
    mine = [s for s in schemas if s.format == "xml" and s.qname(s.root) == (root.ns, root.local)]
    if not mine:
        roots = []
        for s in schemas:
            if s.format == "xml" and s.root not in roots:
                roots.append(s.root)
        raise Refused(root.line, "document element is not " + " or ".join(roots))
    docs, lines = [], []
    for s in mine:
        rows = xpath(s, root, s.row)
        for r in rows:
            for path, how, want in s.requires:
                got = " ".join(text_of(n) for n in xpath(s, r, path)[:1])
                ok = got.startswith(want) if how == "starts-with" else got == want
                if not ok:
                    raise Refused(r.line if s.store == "faktura.invoice" else root.line,
                                  "%s '%s' %s '%s'" % (path.replace("../", ""), got,
                                                       "does not start with" if how == "starts-with"
                                                       else "is not", want))
        for r in rows:
            try:
                rec = read_row(s, r)
            except RowError as e:
                if s.store == "faktura.invoice":
                    raise Refused(r.line, str(e))
                continue
            rec["file"], rec["line"] = relpath, r.line
            (docs if s.store == "faktura.invoice" else lines).append(rec)
    return docs, lines


# ------------------------------------------------------------ CSV inputs


def read_csv(data):
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    head = rows[0]
    return [dict(zip(head, r)) for r in rows[1:] if any(x.strip() for x in r)]


class Plan:
    pass


def load_plans(data, roles):
    """Each plan with .error set when the stage cannot use it (plan-fejl)."""
    plans, seen = [], set()
    for n, r in enumerate(read_csv(data), 2):
        p = Plan()
        p.line = n
        p.id = r["Plan_id"].strip()
        p.type = r["Type"].strip()
        p.category = r["Kategori"].strip()
        p.cvr = r["CVR"].strip()
        p.ean = r["EAN"].strip()
        p.prefix_field = r["Praefiks_felt"].strip()
        p.prefix = r["Praefiks"].strip()
        p.kadence = r["Kadence"].strip()
        p.require_cpr = r["Kraev_CPR"].strip() == "J"
        p.konto = r["Konto"].strip()
        p.costcentre = r["Omkostningssted"].strip()
        p.error = ""
        try:
            p.min = parse_dk(r["Beloeb_min"]) if r["Beloeb_min"].strip() else None
            p.max = parse_dk(r["Beloeb_max"]) if r["Beloeb_max"].strip() else None
            p.tol = int(r["Tolerance_dage"]) if r["Tolerance_dage"].strip() else 0
            md = r["Max_afvigelse_pct"].strip()
            p.maxdev = parse_dk(md) if md else None          # hundredths of a per cent
            p.start = parse_day(r["Startdato"])
            p.end = parse_day(r["Slutdato"])
        except ValueError as e:
            p.error = "celle med forkert format: %s" % e
            p.min = p.max = p.maxdev = None
            p.tol = 0
            p.start = p.end = date(1, 1, 1)
        if p.error:
            pass
        elif not p.id or len(p.id.encode()) > 63:
            p.error = "Plan_id tomt eller over 63 bytes"
        elif p.id in seen:
            p.error = "Plan_id findes to gange"
        elif p.type not in ("BETALING", "FAKTURA"):
            p.error = "Type er hverken BETALING eller FAKTURA"
        elif p.cvr == "*" and p.category not in ("LAEGEERKLAERING", "HUSLEJE"):
            p.error = "CVR * kun for LAEGEERKLAERING og HUSLEJE"
        elif p.cvr != "*" and not cvr_valid(p.cvr):
            p.error = "CVR er ikke 8 cifre med modulus 11"
        elif p.type == "BETALING" and not ean_valid(p.ean):
            p.error = "EAN er ikke 13 cifre med gyldigt kontrolciffer"
        elif p.type == "FAKTURA" and (p.prefix_field not in ("ordre", "faktura") or not p.prefix
                                      or p.cvr == "*"):
            p.error = "FAKTURA-plan kræver CVR, Praefiks_felt ordre/faktura og Praefiks"
        elif p.kadence and p.kadence not in CADENCE:
            p.error = "Kadence er ikke UGE, MAANED, KVARTAL, HALVAAR eller AAR"
        elif p.min is not None and p.max is not None and p.min > p.max:
            p.error = "Beloeb_min er over Beloeb_max"
        elif p.start > p.end:
            p.error = "Startdato er efter Slutdato"
        elif p.konto.startswith("@") and p.konto[1:] not in roles:
            p.error = "kontoen %s er ingen rolle i accounts.conf" % p.konto
        elif not p.konto.startswith("@") and not re.match(r"^[A-Za-z0-9.\-]+$", p.konto):
            p.error = "Konto er ikke et kontonummer"
        seen.add(p.id)
        plans.append(p)
    return plans


def load_orders(data):
    out = []
    for r in read_csv(data):
        c = r["CPR"].replace("-", "").strip()
        out.append({"id": r["Bestillings_id"].strip(), "cpr": c,
                    "type": r["Attesttype"].strip().upper().replace("Æ", "AE"),
                    "cvr": r["Laege_CVR"].strip(), "day": parse_day(r["Bestilt_dato"]),
                    "status": r["Status"].strip()})
    return out


def load_traek(data):
    out = []
    for r in read_csv(data):
        m = re.match(r"^(\d{4})-(\d{2})$", r["Maaned"].strip())
        out.append({"cpr": r["CPR"].replace("-", "").strip(),
                    "month": int(m.group(1)) * 100 + int(m.group(2)),
                    "cvr": r["Udlejer_CVR"].strip(), "amount": parse_dk(r["Traek"])})
    return out


# ------------------------------------------------------------- landing


NAME_DATE = re.compile(r"_(\d{8})\.csv$")


class Store:
    """What the store holds after fetch, unpack and normalise: every file
    with the night it landed; documents and lines; dated CSV inputs."""

    def __init__(self, conf, schemas):
        self.conf, self.schemas = conf, schemas
        self.landed = {}       # (relpath, sha) -> night
        self.docs, self.lines = [], []
        self.refused = []      # dicts: file, line, why, night
        self.plans, self.orders, self.traek = [], [], []   # (namedate, night, rows)

    def land(self, night, relpath, data):
        """land.h: bytes landed before (same SHA-256, any name) are not
        taken again."""
        key = hashlib.sha256(data).hexdigest()
        if key in self.landed:
            return
        self.landed[key] = night
        base = os.path.basename(relpath)
        if base.endswith(".zip") or base.endswith(".tar.gz") or base.endswith(".tgz"):
            for name, member in unpack(data, base):
                self.land(night, os.path.join(os.path.dirname(relpath), name), member)
            return
        if not relpath.startswith("faktura/"):
            return
        m = NAME_DATE.search(base)
        if base.startswith("BETALINGSPLANER_") and m:
            self.plans.append((m.group(1), night, load_plans(data, self.conf.roles)))
        elif base.startswith("BESTILLINGER_") and m:
            self.orders.append((m.group(1), night, load_orders(data)))
        elif base.startswith("AKTIV_Huslejetraek_") and m:
            self.traek.append((m.group(1), night, load_traek(data)))
        elif re.match(r"^[A-Za-z0-9_\-]+\.xml$", base):
            try:
                docs, lines = load_oioubl(self.schemas, relpath, data)
            except Refused as e:
                self.refused.append({"file": relpath, "line": e.line, "why": e.why, "night": night})
                return
            for d in docs:
                d["night"] = night
                d["lines"] = [l for l in lines if l["doc_line"] == d["doc_line"]]
                self.docs.append(d)

    def latest(self, which, night):
        """The newest file by name date on or before night, landed by then."""
        best = None
        for namedate, landed, rows in getattr(self, which):
            if namedate <= night.strftime("%Y%m%d") and landed <= night:
                if best is None or namedate > best[0]:
                    best = (namedate, rows)
        return best[1] if best else None


def unpack(data, base):
    out = []
    if base.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for i in z.infolist():
                if not i.is_dir():
                    out.append((os.path.basename(i.filename), z.read(i)))
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
            for m in t.getmembers():
                if m.isfile():
                    out.append((os.path.basename(m.name), t.extractfile(m).read()))
    return out


def land_dir(store, night, drops):
    for dirpath, _, files in sorted(os.walk(drops)):
        for f in sorted(files):
            if f.endswith(".done"):
                continue
            full = os.path.join(dirpath, f)
            if not os.path.exists(full + ".done"):
                continue
            rel = os.path.relpath(full, drops).replace(os.sep, "/")
            with open(full, "rb") as fh:
                store.land(night, rel, fh.read())


# --------------------------------------------------------------- texts

TEXT = {
    "ikke-oioubl": "filen er ikke en OIOUBL 2.x faktura eller kreditnota / the file is not an OIOUBL 2.x invoice or credit note",
    "dublet-fakturanr": "fakturanummeret er modtaget før fra samme leverandør / invoice number received before from the same supplier",
    "ean-ugyldig": "modtagerens EAN er ikke 13 cifre med gyldigt kontrolciffer / receiver EAN is not 13 digits with a valid check digit",
    "cvr-mangler": "fakturaen har intet leverandør-CVR / the invoice carries no supplier CVR",
    "cvr-ugyldig": "leverandørens CVR er ikke 8 cifre med modulus 11 / supplier CVR is not 8 digits passing modulus 11",
    "sum-afviger": "fakturaens totaler stemmer ikke med linjer, moms og rabatter / the invoice totals disagree with its lines, VAT and allowances",
    "kreditnota": "kreditnota bogføres ikke automatisk / a credit note is not posted automatically",
    "flere-planer": "fakturaen passer på flere planer / the invoice fits several plans",
    "plan-udloebet": "planen for leverandør og EAN er udløbet / the supplier's plan for the EAN has expired",
    "cvr-ikke-godkendt": "leverandøren er ikke en godkendt udlejer / the supplier is not an approved landlord",
    "ingen-plan": "ingen plan for leverandøren på robot-EAN'et / no plan for the supplier on the robot EAN",
    "cpr-mangler": "intet gyldigt CPR-nummer på fakturaen / no valid CPR number on the invoice",
    "beloeb-uden-for-interval": "beløbet ligger uden for planens interval / the amount is outside the plan's interval",
    "ingen-bestilling": "ingen bestilling af lægeerklæringen / no order for the certificate",
    "bestilling-allerede-faktureret": "bestillingen er allerede faktureret / the order has been invoiced already",
    "attesttype-afviger": "attesttypen afviger fra bestillingen / the certificate type differs from the order",
    "takst-afviger": "beløbet ligger uden for taksten for attesttypen / the amount is outside the certificate type's tariff",
    "kadence-for-tidlig": "fakturaen kommer før planens kadence / the invoice comes before the plan's cadence",
    "maanedsafvigelse": "beløbet afviger fra forrige faktura ud over planens grænse / the amount deviates from the previous invoice beyond the plan's limit",
    "traek-ne-faktura": "huslejen stemmer ikke med trækket i ydelsen / the rent differs from the deduction from benefit",
    "kadence-mangler": "en forventet faktura er ikke kommet / an expected invoice has not come",
    "plan-udloeber": "planen udløber snart og skal revurderes / the plan expires soon and must be reviewed",
    "plan-fejl": "planen kan ikke bruges / the plan cannot be used",
    "plan-match": "bogført automatisk efter planen / posted automatically by the plan",
}

INVOICE_RULES = ["dublet-fakturanr", "ean-ugyldig", "cvr-mangler", "cvr-ugyldig", "sum-afviger",
                 "kreditnota", "flere-planer", "plan-udloebet", "cvr-ikke-godkendt", "ingen-plan",
                 "cpr-mangler", "beloeb-uden-for-interval", "ingen-bestilling",
                 "bestilling-allerede-faktureret", "attesttype-afviger", "takst-afviger",
                 "kadence-for-tidlig", "maanedsafvigelse", "traek-ne-faktura"]


def pct_text(hundredths):
    s = "%d,%02d" % (abs(hundredths) // 100, abs(hundredths) % 100)
    s = s.rstrip("0").rstrip(",")
    return s


def signed_pct(delta, prev):
    """+13,85: delta/prev in per cent, two decimals, half away from zero."""
    num = abs(delta) * 10000
    q, r = divmod(num, abs(prev))
    if 2 * r >= abs(prev):
        q += 1
    return "%s%d,%02d" % ("+" if delta >= 0 else "-", q // 100, q % 100)


# --------------------------------------------------------------- stage


class Night:
    """The stage's results for one night."""


def doc_amount(conf, d):
    return d["amount"] if conf.basis == "payable" else d["amount"] - (d["vat"] or 0)


def sum_check(conf, d):
    """Rule 5; '' or the first equation that fails, for the note."""
    tol = conf.tolerance
    g = lambda k: d.get(k) or 0
    if d["nlines"] == 0:
        return "ingen linjer"
    if d["lines_net"] != d["net"]:
        return "linjer %s ≠ LineExtensionAmount %s" % (kr(d["lines_net"]), kr(d["net"]))
    if d.get("tax_excl") is not None and d["tax_excl"] != d["vat"]:
        return "TaxExclusiveAmount %s ≠ moms %s" % (kr(d["tax_excl"]), kr(d["vat"]))
    if d.get("allowance") is not None and d["allowance"] != d["ac_allowance"]:
        return "AllowanceTotalAmount %s ≠ rabatter %s" % (kr(d["allowance"]), kr(d["ac_allowance"]))
    if d.get("charge") is not None and d["charge"] != d["ac_charge"]:
        return "ChargeTotalAmount %s ≠ gebyrer %s" % (kr(d["charge"]), kr(d["ac_charge"]))
    incl = d["net"] - d["ac_allowance"] + d["ac_charge"] + d["vat"] + g("tax_rounding")
    if abs(d["tax_incl"] - incl) > tol:
        return "TaxInclusiveAmount %s ≠ %s" % (kr(d["tax_incl"]), kr(incl))
    pay = d["tax_incl"] - g("prepaid") + g("rounding")
    if abs(d["amount"] - pay) > tol:
        return "PayableAmount %s ≠ %s" % (kr(d["amount"]), kr(pay))
    return ""


def stream_of(plan, cpr):
    if plan.category == "HUSLEJE":
        return (plan.id, cpr) if cpr else None
    return (plan.id, "")


def select_plan(conf, plans, d, cvr):
    """Rule 7: (plan, None, '') or (None, code, plan-column) or (None, None, '')
    when out of scope."""
    day, ean = d["day"], d["ean"]
    cands = []
    for p in plans:
        if p.error or not (p.start <= day <= p.end):
            continue
        if p.type == "BETALING" and p.ean == ean:
            if p.cvr == cvr and cvr:
                cands.append((2, p))
            elif p.cvr == "*" and (p.category != "HUSLEJE" or cvr in conf.landlords):
                cands.append((1, p))
        elif p.type == "FAKTURA" and p.cvr == cvr:
            field = d["invoice"] if p.prefix_field == "faktura" else d["order_ref"]
            if field.startswith(p.prefix):
                cands.append((1000 + len(p.prefix), p))
    if cands:
        top = max(s for s, _ in cands)
        best = [p for s, p in cands if s == top]
        if len(best) == 1:
            return best[0], None, ""
        return None, "flere-planer", "|".join(sorted(p.id for p in best))
    expired = []
    for p in plans:
        if p.error or p.end >= day:
            continue
        if p.type == "BETALING" and p.ean == ean and p.cvr == cvr and cvr:
            expired.append(p)
        elif p.type == "FAKTURA" and p.cvr == cvr and \
                (d["invoice"] if p.prefix_field == "faktura" else d["order_ref"]).startswith(p.prefix):
            expired.append(p)
    if expired:
        return None, "plan-udloebet", "|".join(sorted(p.id for p in expired))
    if ean in conf.scope:
        on_ean = [p for p in plans if not p.error and p.ean == ean and p.start <= day <= p.end]
        if on_ean and all(p.category == "HUSLEJE" for p in on_ean):
            return None, "cvr-ikke-godkendt", ""
        return None, "ingen-plan", ""
    return None, None, ""


def cpr_texts(conf, d):
    texts = []
    for place in conf.cpr_places:
        if place == "line-note":
            texts += [l["text"] for l in d["lines"]]
        elif place == "line-item-name":
            texts += [l["item_name"] for l in d["lines"]]
        elif place == "line-item-description":
            texts += [l["item_desc"] for l in d["lines"]]
        elif place == "header-note":
            texts.append(d["text"])
        elif place == "order-ref":
            texts.append(d["order_ref"])
    return texts


def run_stage(conf, store, night, breaks, se):
    """The stage for one night: every document received up to the night,
    in arrival order, against the plans and orders of the night it came;
    then the night-level rules; outputs for the night's month."""
    N = Night()
    month = month_of(night)
    first_day = date(night.year, night.month, 1)
    horizon = add_months(first_day, -conf.history_months)
    docs = [d for d in store.docs if horizon <= d["night"] <= night]
    docs.sort(key=lambda d: (d["night"], d["day"], d["supplier"], d["invoice"], d["file"], d["line"]))
    seen = {}
    last_posted = {}
    anchor = {}     # stream -> its last invoice that came on cadence (posted, or held but not too early)
    consumed = set()
    posted_rent = {}
    seq = 0
    results = []
    for d in docs:
        seq += 1
        R = d["night"]
        plans = store.latest("plans", R) or []
        orders = store.latest("orders", R) or []
        traek = store.latest("traek", R)
        cvr = d["supplier"]
        key_inv = (cvr, d["invoice"])
        cpr, bad_cpr = find_cpr(cpr_texts(conf, d))
        plan, code7, plancol = select_plan(conf, plans, d, cvr)
        res = {"doc": d, "cpr": cpr, "plan": plan, "seq": seq, "in_scope": True}
        amount = doc_amount(conf, d)
        reasons, notes = [], {}
        if plan is None and code7 is None:
            res["in_scope"] = False
        else:
            credit = d["doctype"] == "CreditNote"
            if key_inv in seen:
                reasons.append("dublet-fakturanr")
                f = seen[key_inv]
                notes["dublet-fakturanr"] = "først modtaget %s i %s" % (iso(f["night"]), f["file"])
            if not ean_valid(d["ean"]):
                reasons.append("ean-ugyldig")
            if not cvr:
                reasons.append("cvr-mangler")
            elif not cvr_valid(cvr):
                reasons.append("cvr-ugyldig")
            why = sum_check(conf, d)
            if why:
                reasons.append("sum-afviger")
                notes["sum-afviger"] = why
            if credit and conf.credit_notes == "hold":
                reasons.append("kreditnota")
                if d["billing_ref"]:
                    notes["kreditnota"] = "krediterer faktura %s" % d["billing_ref"]
            if plan is None:
                reasons.append(code7)
                if code7 == "flere-planer":
                    notes[code7] = "planer %s" % plancol.replace("|", ", ")
                elif code7 == "plan-udloebet":
                    ends = {p.id: p.end for p in plans if p.id in plancol.split("|")}
                    notes[code7] = ", ".join("plan %s udløb %s" % (i, iso(ends[i]))
                                             for i in plancol.split("|"))
                res["plancol"] = plancol
            else:
                res["plancol"] = plan.id
                stream = stream_of(plan, cpr)
                if plan.require_cpr and not cpr:
                    reasons.append("cpr-mangler")
                    if bad_cpr:
                        notes["cpr-mangler"] = "kun ugyldige CPR-lignende tal"
                if not credit:
                    if (plan.min is not None and amount < plan.min) or \
                            (plan.max is not None and amount > plan.max):
                        reasons.append("beloeb-uden-for-interval")
                        notes["beloeb-uden-for-interval"] = "%s uden for %s-%s" % (
                            kr(amount), kr(plan.min) if plan.min is not None else "",
                            kr(plan.max) if plan.max is not None else "")
                    order = None
                    if plan.category == "LAEGEERKLAERING":
                        named = attest_types([l["text"] for l in d["lines"]] +
                                             [l["item_name"] for l in d["lines"]] +
                                             [l["item_desc"] for l in d["lines"]] + [d["text"]])
                        code, order = find_order(orders, d, cpr, cvr, named, consumed)
                        if code:
                            reasons.append(code)
                            if code == "bestilling-allerede-faktureret":
                                notes[code] = "bestilling %s" % order["id"]
                            elif code == "attesttype-afviger":
                                notes[code] = "faktura %s, bestilling %s %s" % (
                                    "/".join(named), order["id"], order["type"])
                            if code != "attesttype-afviger":
                                order = None
                        typ = order["type"] if order else (named[0] if named else "")
                        if typ:
                            t = conf.tariff(typ, d["day"])
                            if t is None:
                                reasons.append("takst-afviger")
                                notes["takst-afviger"] = "ingen takst for %s" % typ
                            elif not (t[1] <= amount <= t[2]):
                                reasons.append("takst-afviger")
                                notes["takst-afviger"] = "%s takst %s-%s" % (typ, kr(t[1]), kr(t[2]))
                        res["order"] = order
                    prev = last_posted.get(stream) if stream else None
                    if plan.kadence and prev is not None:
                        earliest = add_period(prev["doc"]["day"], plan.kadence) - timedelta(days=plan.tol)
                        if d["day"] < earliest:
                            reasons.append("kadence-for-tidlig")
                            notes["kadence-for-tidlig"] = "forrige %s, tidligst %s" % (
                                iso(prev["doc"]["day"]), iso(earliest))
                    if plan.maxdev is not None and prev is not None:
                        pa = prev["amount"]
                        if abs(amount - pa) * 10000 > plan.maxdev * abs(pa):
                            reasons.append("maanedsafvigelse")
                            notes["maanedsafvigelse"] = "forrige %s, %s %% > %s %%" % (
                                kr(pa), signed_pct(amount - pa, pa), pct_text(plan.maxdev))
                    if plan.category == "HUSLEJE" and cpr and traek is not None:
                        rm = month_of(d["period_start"] or d["day"])
                        t_sum = sum(t["amount"] for t in traek
                                    if t["cpr"] == cpr and t["month"] == rm and t["cvr"] == cvr)
                        r_sum = posted_rent.get((cpr, rm, cvr), 0) + amount
                        if t_sum != r_sum:
                            reasons.append("traek-ne-faktura")
                            notes["traek-ne-faktura"] = "træk %s, husleje %s" % (kr(t_sum), kr(r_sum))
            res["stream"] = stream_of(plan, cpr) if plan else None
        res["reasons"], res["notes"], res["amount"] = reasons, notes, amount
        res["posted"] = res["in_scope"] and not reasons
        # history after the document (DESIGN.md 4.8)
        if key_inv not in seen:
            seen[key_inv] = d
        st = res["stream"] if res["in_scope"] else None
        if res["posted"] and d["doctype"] == "Invoice":
            if st:
                last_posted[st] = res
                anchor[st] = res
            if res.get("order"):
                consumed.add(res["order"]["id"])
            if plan.category == "HUSLEJE" and cpr:
                rm = month_of(d["period_start"] or d["day"])
                posted_rent[(cpr, rm, cvr)] = posted_rent.get((cpr, rm, cvr), 0) + amount
        elif st and st in anchor and d["doctype"] == "Invoice" and "dublet-fakturanr" not in reasons \
                and plan.kadence and \
                d["day"] >= add_period(anchor[st]["doc"]["day"], plan.kadence) - timedelta(days=plan.tol):
            anchor[st] = res      # the next period's invoice came, though held
        results.append(res)

    # ---- the night's month
    mine = [r for r in results if month_of(r["doc"]["night"]) == month]
    plans_now = store.latest("plans", night) or []
    exc, sums, postings = [], {}, []

    def exception(key, cpr, amount, code, note, ref, extra):
        e = {"key": key, "cpr": cpr, "amount": amount, "code": code, "note": note, "ref": ref}
        e.update(extra)
        exc.append(e)

    for r in mine:
        if not r["in_scope"]:
            continue
        d = r["doc"]
        key = r["plan"].id if r["plan"] else "UNMATCHED"
        s = sums.setdefault(key, [0, 0])
        s[0] += d["amount"]
        extra = {"invoice": d["invoice"], "cvr": d["supplier"], "ean": d["ean"],
                 "plan": r.get("plancol", ""), "file": "%s:%d" % (d["file"], d["line"])}
        ref = "%s/%s" % (d["supplier"], d["invoice"])
        head = "faktura %s, CVR %s, EAN %s, %s" % (d["invoice"], d["supplier"] or "-",
                                                   d["ean"] or "-", iso(d["day"]))
        if r["posted"]:
            s[1] += d["amount"]
            plan = r["plan"]
            postings.append({"key": key, "cpr": r["cpr"], "amount": d["amount"], "ref": ref,
                             "note": head, "account": plan.konto, "costcentre": plan.costcentre,
                             "net": d["amount"] - (d["vat"] or 0), "vat": d["vat"] or 0,
                             "night": d["night"], **extra})
        else:
            code = r["reasons"][0]
            note = head + (": " + r["notes"][code] if r["notes"].get(code) else "")
            extra["other_reasons"] = ",".join(r["reasons"][1:])
            exception(key, r["cpr"], d["amount"], code, note, ref, extra)
    for f in store.refused:
        if horizon <= f["night"] <= night and month_of(f["night"]) == month:
            sums.setdefault("UNMATCHED", [0, 0])
            exception("UNMATCHED", "", 0, "ikke-oioubl", "%s:%d: %s" % (f["file"], f["line"], f["why"]),
                      f["file"], {"file": "%s:%d" % (f["file"], f["line"])})
    # night-level rules
    for p in plans_now:
        if p.error:
            exception(p.id, "", 0, "plan-fejl", "BETALINGSPLANER linje %d: %s" % (p.line, p.error), "",
                      {"plan": p.id})
            continue
        if not (p.start <= night <= p.end):
            continue
        if p.kadence:
            streams = [s for s in anchor if s[0] == p.id]
            for st in sorted(streams):
                last = anchor[st]
                ld = last["doc"]["day"]
                due = add_period(ld, p.kadence) + timedelta(days=p.tol)
                if night <= due or due > p.end:
                    continue
                if p.category == "HUSLEJE" and night > add_period(ld, p.kadence, conf.stop_periods):
                    continue
                exception(p.id, st[1], last["doc"]["amount"], "kadence-mangler",
                          "sidste faktura %s %s, forventet senest %s" % (
                              last["doc"]["invoice"], iso(ld), iso(due)), "",
                          {"plan": p.id, "invoice": last["doc"]["invoice"], "cvr": last["doc"]["supplier"],
                           "ean": last["doc"]["ean"]})
        days = (p.end - night).days
        if 0 <= days <= conf.warn_days:
            exception(p.id, "", 0, "plan-udloeber", "slutdato %s, %d dage" % (iso(p.end), days), "",
                      {"plan": p.id})
    # summary rows: every usable plan active in the month, every key used
    keys = set(sums) | {"UNMATCHED"} | {e["key"] for e in exc}
    for p in plans_now:
        if not p.error and p.start <= night and p.end >= first_day:
            keys.add(p.id)
    rows = []
    tl = tr = 0
    any_break = False
    for k in sorted(keys):
        l, r = sums.get(k, [0, 0])
        tl += l
        tr += r
        st = "OK" if l == r and not any(e["key"] == k for e in exc) else "BREAK"
        any_break |= st == "BREAK"
        rows.append((k, l, r, st))
    rows.append(("TOTAL", tl, tr, "BREAK" if any_break else "OK"))
    rows.sort(key=lambda x: x[0].encode())
    N.summary = rows
    # ids and first-seen nights (recon.c exception_id, first_seen)
    for e in exc:
        idtext = "%s|%s|%d|%s|%s|%s" % (RECON, se, month, e["key"], e["cpr"], e["code"])
        if e["ref"]:
            idtext += "|" + e["ref"]
        e["id"] = sha(idtext)[:16]
        fs = breaks.get(e["id"])
        if fs is None or fs > night:
            breaks[e["id"]] = fs = night
        e["first_seen"] = fs
    exc.sort(key=lambda e: (e["key"].encode(), e["cpr"].encode(), e["code"].encode(), e["ref"].encode()))
    for p in postings:
        p["id"] = sha("%s|%s|%d|%s|%s|plan-match|%s" % (RECON, se, month, p["key"], p["cpr"], p["ref"]))[:16]
    postings.sort(key=lambda p: (p["key"].encode(), p["cpr"].encode(), p["ref"].encode()))
    N.exceptions, N.postings = exc, postings
    N.suggestions = suggestions(conf, store, results, plans_now, night)
    # rule 19: supplier error rate over in-scope documents received in (N - 90 days, N]
    rate = {}
    for r in results:
        if r["in_scope"] and night - timedelta(days=90) < r["doc"]["night"] <= night:
            v = rate.setdefault(r["doc"]["supplier"], [0, 0])
            v[0] += 1
            v[1] += 0 if r["posted"] else 1
    N.error_rate = sorted(((c, n, e) for c, (n, e) in rate.items()), key=lambda x: (-x[2], x[0].encode()))
    n_all = len(mine)
    n_out = sum(1 for r in mine if not r["in_scope"])
    n_post = sum(1 for r in mine if r["posted"])
    held = [r for r in mine if r["in_scope"] and not r["posted"]]
    plan_exc = sum(1 for e in exc if e["code"] in ("kadence-mangler", "plan-udloeber", "plan-fejl"))
    N.note = ("%d invoices (%d out of scope), %d auto-posted %s, %d held %s, %d plan exceptions, "
              "%d files refused" % (n_all, n_out, n_post, kr(sum(r["doc"]["amount"] for r in mine if r["posted"])),
                                    len(held), kr(sum(r["doc"]["amount"] for r in held)), plan_exc,
                                    sum(1 for e in exc if e["code"] == "ikke-oioubl")))
    N.month = month
    return N


def find_order(orders, d, cpr, cvr, named, consumed):
    """Rules 10: (code or None, order or None)."""
    cands = [o for o in orders if o["status"] == "BESTILT" and o["day"] <= d["day"]
             and (not o["cvr"] or o["cvr"] == cvr)]
    if cpr:
        pool = [o for o in cands if o["cpr"] == cpr]
    else:
        pool = [o for o in cands if d["order_ref"] and o["id"] == d["order_ref"]]
    byref = [o for o in pool if d["order_ref"] and o["id"] == d["order_ref"]]
    if byref:
        pool = byref
    if not pool:
        return "ingen-bestilling", None
    free = sorted([o for o in pool if o["id"] not in consumed], key=lambda o: (o["day"], o["id"]))
    if not free:
        return "bestilling-allerede-faktureret", sorted(pool, key=lambda o: (o["day"], o["id"]))[0]
    if named:
        typed = [o for o in free if o["type"] in named]
        if not typed:
            return "attesttype-afviger", free[0]
        return None, typed[0]
    return None, free[0]


def suggestions(conf, store, results, plans_now, night):
    """Rule 18: supplier/EAN pairs without a plan whose invoices would have
    fitted one."""
    sg = conf.suggest
    since = add_months(night, -sg["window-months"])
    planned = {(p.cvr, p.ean) for p in plans_now if p.type == "BETALING"}
    groups = {}
    counted = set()
    for r in results:
        d = r["doc"]
        k = (d["supplier"], d["invoice"])
        if d["doctype"] != "Invoice" or k in counted or not (since < d["day"] <= night):
            continue
        counted.add(k)
        if not cvr_valid(d["supplier"]) or not ean_valid(d["ean"]):
            continue
        if (d["supplier"], d["ean"]) in planned:
            continue
        groups.setdefault((d["supplier"], d["ean"]), []).append(d)
    out = []
    for (cvr, ean), ds in sorted(groups.items()):
        n = len(ds)
        if n < sg["min-invoices"]:
            continue
        xs = [d["amount"] for d in ds]
        s, s2 = sum(xs), sum(x * x for x in xs)
        if s <= 0 or 10000 * (n * s2 - s * s) > sg["max-cv-pct"] ** 2 * s * s:
            continue
        days = sorted(d["day"] for d in ds)
        iv = sorted((b - a).days for a, b in zip(days, days[1:]))
        med = iv[(len(iv) - 1) // 2]
        kad = None
        for target, name in ((7, "UGE"), (30, "MAANED"), (91, "KVARTAL"), (182, "HALVAAR"), (365, "AAR")):
            if abs(med - target) <= sg["slack-days"]:
                kad = name
                break
        if not kad:
            continue
        lo = min(xs) * (100 - sg["margin-pct"]) // 100
        hi = -(-max(xs) * (100 + sg["margin-pct"]) // 100)
        # CV in hundredths of a per cent, for the clerk: sqrt by integers
        var_num = n * s2 - s * s              # = n^2 * variance
        cv = isqrt(var_num * 10 ** 8 // (s * s)) if var_num > 0 else 0
        acct = sorted({d["account"] for d in ds if d["account"]})
        out.append({"cvr": cvr, "ean": ean, "lo": lo, "hi": hi, "kad": kad, "n": n, "med": med,
                    "cv": cv, "first": days[0], "last": days[-1], "sum": s,
                    "name": ds[-1]["name"], "acct": acct[0] if len(acct) == 1 else ""})
    return out


def isqrt(n):
    x = int(n ** 0.5) if n < 2 ** 52 else 1 << ((n.bit_length() + 1) // 2)
    while x * x > n:
        x = (x + n // x) // 2
    while (x + 1) * (x + 1) <= n:
        x += 1
    return x


# ------------------------------------------------------------- vouchers


def vouchers_for(conf, N, se, night):
    """stage-vouchers with rule plan-bogfoering on postings/betalingsplaner.csv.
    Every posting row of the month whose event has no voucher yet is issued
    on this night (the store remembers: N.issued_events)."""
    out = []
    text_t = "Faktura {@invoice} CVR {@cvr} {key}"
    for p in N.postings:
        text = text_t.replace("{@invoice}", p["invoice"]).replace("{@cvr}", p["cvr"]).replace("{key}", p["key"])
        text = text.encode("utf-8")[:120].decode("utf-8", "ignore")
        acct = conf.roles[p["account"][1:]] if p["account"].startswith("@") else p["account"]
        lines = []

        def add(account, debit, amount):
            if amount == 0:
                return
            lines.append((account, debit if amount > 0 else not debit, abs(amount), text))
        add(acct, True, p["net"])
        add(conf.roles["koebsmoms"], True, p["vat"])
        add(conf.roles["kreditor-mellemregning"], False, p["amount"])
        deb = sum(a for _, dd, a, _ in lines if dd)
        cre = sum(a for _, dd, a, _ in lines if not dd)
        assert deb == cre, "unbalanced"
        event = sha("plan-bogfoering|%s|%s|%s|%s|%s|%s|@account=%s" % (
            RECON, se, month_str(N.month), p["key"], p["cpr"], p["id"], p["account"]))
        digest = sha("".join("%s|%s|%d|%s\n" % (a, "D" if dd else "K", amt, t) for a, dd, amt, t in lines))
        out.append({"event": event, "digest": digest, "lines": lines, "ref": "plan-bogfoering:" + p["id"],
                    "total": deb})
    return out


def voucher_files(vs, se, night, issued):
    """The night's vouchers.csv and XML files (vouchers issued this night)."""
    csvtext = BOM + "voucher_id;reference;kind;reverses;rule;date;se;sender;line;posting_id;account;side;amount;signed_amount;text\n"
    xmls = {}
    rows = []
    for v in vs:
        prior = issued.get(v["event"])
        if prior is not None and prior[0] != night:
            if prior[1] == v["digest"]:
                continue
            raise SystemExit("model: a changed voucher (reversal) is outside this model")
        issued[v["event"]] = (night, v["digest"])
        vid = uuid_from("finansbilag|%s|%s|%u" % (v["event"], v["digest"], 0))
        pids = [uuid_from("posting|%s|%d" % (vid, i + 1)) for i in range(len(v["lines"]))]
        rows.append((vid, v, pids))
    rows.sort(key=lambda x: x[0])
    for vid, v, pids in rows:
        for i, (a, dd, amt, t) in enumerate(v["lines"]):
            csvtext += csv_line([vid, v["ref"], "voucher", "", "plan-bogfoering", iso(night), se,
                                 "KY-AFSTEMNING", i + 1, pids[i], a, "D" if dd else "K", kr(amt),
                                 kr(amt if dd else -amt), t])
        x = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<Finansbilag xmlns="urn:oio:kommune-afstemning:finansbilag:sf1590a-form:1">',
             "  <BilagHoved>",
             "    <BilagUUID>%s</BilagUUID>" % vid,
             "    <BilagReference>%s</BilagReference>" % v["ref"],
             "    <BilagType>Ompostering</BilagType>",
             "    <BilagDato>%s</BilagDato>" % iso(night),
             "    <Afsender>",
             "      <SystemID>KY-AFSTEMNING</SystemID>",
             "      <SENummer>%s</SENummer>" % se,
             "    </Afsender>",
             "    <Regel>plan-bogfoering</Regel>",
             "    <PosteringAntal>%d</PosteringAntal>" % len(v["lines"]),
             "    <DebetTotal>%s</DebetTotal>" % dec_point(v["total"]),
             "    <KreditTotal>%s</KreditTotal>" % dec_point(v["total"]),
             "  </BilagHoved>",
             "  <Posteringer>"]
        for i, (a, dd, amt, t) in enumerate(v["lines"]):
            x += ["    <Postering>",
                  "      <PosteringUUID>%s</PosteringUUID>" % pids[i],
                  "      <Kontonummer>%s</Kontonummer>" % a,
                  "      <Beloeb>%s</Beloeb>" % dec_point(amt),
                  "      <DebetKreditIndikator>%s</DebetKreditIndikator>" % ("D" if dd else "K"),
                  "      <Bogfoeringsdato>%s</Bogfoeringsdato>" % iso(night),
                  "      <Posteringstekst>%s</Posteringstekst>" % xml_escape(t),
                  "    </Postering>"]
        x += ["  </Posteringer>", "</Finansbilag>", ""]
        xmls[vid + ".xml"] = "\n".join(x)
    return csvtext, xmls


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -------------------------------------------------------------- writers


def write_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def summary_text(N, se):
    t = BOM + "recon;se;month;key;left;right;difference;explained;unexplained;status\n"
    for k, l, r, st in N.summary:
        t += csv_line([RECON, se, month_str(N.month), k, kr(l), kr(r), kr(l - r), kr(0), kr(l - r), st])
    return t


EXTRA_COLS = ["invoice", "cvr", "ean", "plan", "other_reasons", "file"]


def exceptions_text(N, se, night):
    t = BOM + "id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right;" + \
        ";".join(EXTRA_COLS) + "\n"
    for e in N.exceptions:
        reason = "%s: %s" % (e["code"], TEXT[e["code"]]) + (" (%s)" % e["note"] if e["note"] else "")
        t += csv_line([e["id"], RECON, se, month_str(N.month), e["key"], e["cpr"], kr(e["amount"]), reason,
                       iso(e["first_seen"]), (night - e["first_seen"]).days, "", ""] +
                      [e.get(c, "") for c in EXTRA_COLS])
    return t


def postings_text(N, se, night):
    t = BOM + "id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right;" \
              "account;net;vat;costcentre;invoice;cvr;ean;file\n"
    for p in N.postings:
        reason = "plan-match: %s (%s)" % (TEXT["plan-match"], p["note"])
        t += csv_line([p["id"], RECON, se, month_str(N.month), p["key"], p["cpr"], kr(p["amount"]), reason,
                       iso(p["night"]), (night - p["night"]).days, "", "", p["account"], kr(p["net"]),
                       kr(p["vat"]), p["costcentre"], p["invoice"], p["cvr"], p["ean"], p["file"]])
    return t


def error_rate_text(N):
    """The report's supplier error rate (rule 19), as CSV for the tests."""
    t = BOM + "cvr;fakturaer;undtagelser;andel_pct\n"
    for c, n, e in N.error_rate:
        q, r = divmod(e * 1000, n)
        q += 2 * r >= n
        t += csv_line([c, n, e, "%d,%d" % (q // 10, q % 10)])
    return t


def suggestions_text(N, night):
    t = BOM + "Plan_id;Type;Kategori;CVR;EAN;Praefiks_felt;Praefiks;Beloeb_min;Beloeb_max;Kadence;" \
              "Tolerance_dage;Max_afvigelse_pct;Kraev_CPR;Konto;Omkostningssted;Startdato;Slutdato;" \
              "Antal_fakturaer;Median_interval_dage;Variation_pct;Foerste_faktura;Seneste_faktura;" \
              "Sum;Leverandoer\n"
    for s in N.suggestions:
        t += csv_line(["FORSLAG-%s-%s" % (s["cvr"], s["ean"]), "BETALING", "FAST", s["cvr"], s["ean"], "", "",
                       kr(s["lo"]), kr(s["hi"]), s["kad"], 5, "", "N", s["acct"], "",
                       iso(night + timedelta(days=1)), iso(add_months(night, 12)), s["n"], s["med"],
                       "%d,%02d" % (s["cv"] // 100, s["cv"] % 100), iso(s["first"]), iso(s["last"]),
                       kr(s["sum"]), s["name"]])
    return t


# ---------------------------------------------------------------- model


# the schemas of conf/pipeline.conf's input line for faktura/{word}.xml, in its order
OIOUBL_INPUT = ["oioubl-invoice", "oioubl-invoice-lines", "oioubl-creditnote", "oioubl-creditnote-lines"]


def load_schemas(d):
    return [Schema(os.path.join(d, f + ".schema")) for f in OIOUBL_INPUT]


def model(args):
    conf = Conf(args.conf, args.set or [])
    store = Store(conf, load_schemas(args.schemas))
    se = args.se
    until = parse_day(args.night)
    nights = []
    for name in sorted(os.listdir(args.root)):
        if re.match(r"^\d{4}-\d{2}-\d{2}$", name) and parse_day(name) <= until:
            nights.append(parse_day(name))
    extras = {}
    for e in args.extra or []:
        n, dirn = e.split("=", 1)
        extras.setdefault(parse_day(n), []).append(dirn)
        if parse_day(n) not in nights:
            nights.append(parse_day(n))
    nights.sort()
    breaks, issued = {}, {}
    for night in nights:
        drops = os.path.join(args.root, iso(night), "drops")
        if os.path.isdir(drops):
            land_dir(store, night, drops)
        for dirn in extras.get(night, []):
            land_dir(store, night, dirn)
        N = run_stage(conf, store, night, breaks, se)
        o = os.path.join(args.out, iso(night))
        refused = [f for f in store.refused if f["night"] == night]
        write_file(os.path.join(o, "status-betalingsplaner"),
                   "match-betalingsplaner: %s\n" % N.note +
                   "".join("refused %s:%d: %s\n" % (f["file"], f["line"], f["why"]) for f in refused))
        if not args.quiet:
            print("%s: %s" % (iso(night), N.note))
        write_night(conf, N, se, night, os.path.join(args.out, iso(night)), issued)
    for r in args.rerun or []:
        night = parse_day(r)
        N = run_stage(conf, store, night, breaks, se)
        write_night(conf, N, se, night, os.path.join(args.out, "rerun-" + r), issued)
    return 0


def write_night(conf, N, se, night, o, issued):
    """The stage's files, and the vouchers stage's for rule plan-bogfoering:
    a voucher already issued on another night is not written again, one
    issued on this night is (a rerun writes the same vouchers)."""
    write_file(os.path.join(o, "summary", RECON + ".csv"), summary_text(N, se))
    write_file(os.path.join(o, "exceptions", RECON + ".csv"), exceptions_text(N, se, night))
    write_file(os.path.join(o, "postings", RECON + ".csv"), postings_text(N, se, night))
    write_file(os.path.join(o, "suggestions", RECON + ".csv"), suggestions_text(N, night))
    write_file(os.path.join(o, "report-supplier-error-rate.csv"), error_rate_text(N))
    vcsv, xmls = voucher_files(vouchers_for(conf, N, se, night), se, night, issued)
    write_file(os.path.join(o, "vouchers", "vouchers.csv"), vcsv)
    for name, x in xmls.items():
        write_file(os.path.join(o, "vouchers", name), x)


# ------------------------------------------------------------ generator

NS_DECL = ('xmlns="urn:oasis:names:specification:ubl:schema:xsd:%s-2" '
           'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
           'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"')


def xesc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def oioubl(doc):
    """An OIOUBL 2.02 Invoice or CreditNote, the shape of happy-path_real.xml.
    doc: kind, id, day (date), supplier (as written, e.g. DK12345674 or ''),
    sname, ean, ename, order ('' = no OrderReference; 'NA' kept), due,
    period (start, end) or None, means, lines [(note, name, net, vat_pct)],
    allowances [(amount, reason)], charges, notes [header notes],
    billing_ref, custom (CustomizationID), tax_excl_override, payable_override,
    currency."""
    kind = doc.get("kind", "Invoice")
    line_el = "InvoiceLine" if kind == "Invoice" else "CreditNoteLine"
    qty_el = "InvoicedQuantity" if kind == "Invoice" else "CreditedQuantity"
    cur = doc.get("currency", "DKK")
    lines = doc["lines"]
    net = sum(l[2] for l in lines)
    allow = sum(a for a, _ in doc.get("allowances", []))
    charge = sum(a for a, _ in doc.get("charges", []))
    # VAT per rate on the lines, allowances taken off the standard-rated base
    std_base = sum(l[2] for l in lines if l[3] == 25) - allow + charge
    zero_base = sum(l[2] for l in lines if l[3] == 0)
    vat = (std_base * 25 + 50) // 100 if std_base else 0
    incl = net - allow + charge + vat
    payable = doc.get("payable_override", incl)
    tax_excl = doc.get("tax_excl_override", vat)
    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         "<%s %s>" % (kind, NS_DECL % kind),
         "  <cbc:UBLVersionID>2.0</cbc:UBLVersionID>",
         "  <cbc:CustomizationID>%s</cbc:CustomizationID>" % doc.get("custom", "OIOUBL-2.02"),
         '  <cbc:ProfileID schemeAgencyID="320" schemeID="urn:oioubl:id:profileid-1.2">Procurement-BilSim-1.0</cbc:ProfileID>',
         "  <cbc:ID>%s</cbc:ID>" % xesc(doc["id"]),
         "  <cbc:IssueDate>%s</cbc:IssueDate>" % iso(doc["day"])]
    if kind == "Invoice":
        o.append('  <cbc:InvoiceTypeCode listAgencyID="320" listID="urn:oioubl:codelist:invoicetypecode-1.1">380</cbc:InvoiceTypeCode>')
    for n in doc.get("notes", []):
        o.append("  <cbc:Note>%s</cbc:Note>" % xesc(n))
    o.append("  <cbc:DocumentCurrencyCode>%s</cbc:DocumentCurrencyCode>" % cur)
    if doc.get("period"):
        o += ["  <cac:InvoicePeriod>",
              "    <cbc:StartDate>%s</cbc:StartDate>" % iso(doc["period"][0]),
              "    <cbc:EndDate>%s</cbc:EndDate>" % iso(doc["period"][1]),
              "  </cac:InvoicePeriod>"]
    if doc.get("order") is not None and doc.get("order") != "":
        o.append("  <cac:OrderReference><cbc:ID>%s</cbc:ID></cac:OrderReference>" % xesc(doc["order"]))
    if doc.get("billing_ref"):
        o += ["  <cac:BillingReference>",
              "    <cac:InvoiceDocumentReference><cbc:ID>%s</cbc:ID></cac:InvoiceDocumentReference>" % doc["billing_ref"],
              "  </cac:BillingReference>"]
    sup = doc.get("supplier", "")
    o += ["  <cac:AccountingSupplierParty>", "    <cac:Party>"]
    if sup:
        o.append('      <cbc:EndpointID schemeID="DK:CVR">%s</cbc:EndpointID>' % sup)
    o += ["      <cac:PartyName><cbc:Name>%s</cbc:Name></cac:PartyName>" % xesc(doc.get("sname", "Leverandør")),
          "      <cac:PostalAddress>",
          '        <cbc:AddressFormatCode listAgencyID="320" listID="urn:oioubl:codelist:addressformatcode-1.1">StructuredLax</cbc:AddressFormatCode>',
          "        <cbc:StreetName>Prøvevej</cbc:StreetName>",
          "        <cbc:BuildingNumber>1</cbc:BuildingNumber>",
          "        <cbc:CityName>Prøveby</cbc:CityName>",
          "        <cbc:PostalZone>5000</cbc:PostalZone>",
          "        <cac:Country><cbc:IdentificationCode>DK</cbc:IdentificationCode></cac:Country>",
          "      </cac:PostalAddress>"]
    if sup:
        o += ["      <cac:PartyTaxScheme>",
              '        <cbc:CompanyID schemeID="DK:SE">%s</cbc:CompanyID>' % sup,
              '        <cac:TaxScheme><cbc:ID schemeAgencyID="320" schemeID="urn:oioubl:id:taxschemeid-1.1">63</cbc:ID><cbc:Name>Moms</cbc:Name></cac:TaxScheme>',
              "      </cac:PartyTaxScheme>",
              "      <cac:PartyLegalEntity>",
              "        <cbc:RegistrationName>%s</cbc:RegistrationName>" % xesc(doc.get("sname", "Leverandør")),
              '        <cbc:CompanyID schemeID="DK:CVR">%s</cbc:CompanyID>' % sup,
              "      </cac:PartyLegalEntity>"]
    o += ["    </cac:Party>", "  </cac:AccountingSupplierParty>",
          "  <cac:AccountingCustomerParty>", "    <cac:Party>",
          '      <cbc:EndpointID schemeAgencyID="9" schemeID="GLN">%s</cbc:EndpointID>' % doc["ean"],
          "      <cac:PartyName><cbc:Name>%s</cbc:Name></cac:PartyName>" % xesc(doc.get("ename", "Kommune")),
          "    </cac:Party>", "  </cac:AccountingCustomerParty>"]
    if doc.get("due"):
        means = doc.get("means", "97")
        chan = {"97": "DK:NEMKONTO", "42": "DK:BANK", "31": "IBAN"}.get(means, "DK:NEMKONTO")
        o += ["  <cac:PaymentMeans>",
              "    <cbc:PaymentMeansCode>%s</cbc:PaymentMeansCode>" % means,
              "    <cbc:PaymentDueDate>%s</cbc:PaymentDueDate>" % iso(doc["due"]),
              '    <cbc:PaymentChannelCode listAgencyID="320" listID="urn:oioubl:codelist:paymentchannelcode-1.1">%s</cbc:PaymentChannelCode>' % chan,
              "  </cac:PaymentMeans>"]
    for amt, why in doc.get("allowances", []):
        o += ["  <cac:AllowanceCharge>",
              "    <cbc:ChargeIndicator>false</cbc:ChargeIndicator>",
              "    <cbc:AllowanceChargeReason>%s</cbc:AllowanceChargeReason>" % xesc(why),
              '    <cbc:Amount currencyID="%s">%s</cbc:Amount>' % (cur, dec_point(amt)),
              "    <cac:TaxCategory>",
              '      <cbc:ID schemeAgencyID="320" schemeID="urn:oioubl:id:taxcategoryid-1.1">StandardRated</cbc:ID>',
              "      <cbc:Percent>25</cbc:Percent>",
              '      <cac:TaxScheme><cbc:ID schemeAgencyID="320" schemeID="urn:oioubl:id:taxschemeid-1.1">63</cbc:ID><cbc:Name>Moms</cbc:Name></cac:TaxScheme>',
              "    </cac:TaxCategory>",
              "  </cac:AllowanceCharge>"]
    for amt, why in doc.get("charges", []):
        o += ["  <cac:AllowanceCharge>",
              "    <cbc:ChargeIndicator>true</cbc:ChargeIndicator>",
              "    <cbc:AllowanceChargeReason>%s</cbc:AllowanceChargeReason>" % xesc(why),
              '    <cbc:Amount currencyID="%s">%s</cbc:Amount>' % (cur, dec_point(amt)),
              "    <cac:TaxCategory>",
              '      <cbc:ID schemeAgencyID="320" schemeID="urn:oioubl:id:taxcategoryid-1.1">StandardRated</cbc:ID>',
              "      <cbc:Percent>25</cbc:Percent>",
              '      <cac:TaxScheme><cbc:ID schemeAgencyID="320" schemeID="urn:oioubl:id:taxschemeid-1.1">63</cbc:ID><cbc:Name>Moms</cbc:Name></cac:TaxScheme>',
              "    </cac:TaxCategory>",
              "  </cac:AllowanceCharge>"]
    o += ["  <cac:TaxTotal>", '    <cbc:TaxAmount currencyID="%s">%s</cbc:TaxAmount>' % (cur, dec_point(vat))]
    for base, pct, amt, cat in ((std_base, 25, vat, "StandardRated"), (zero_base, 0, 0, "ZeroRated")):
        if base or (cat == "StandardRated" and not zero_base):
            o += ["    <cac:TaxSubtotal>",
                  '      <cbc:TaxableAmount currencyID="%s">%s</cbc:TaxableAmount>' % (cur, dec_point(base)),
                  '      <cbc:TaxAmount currencyID="%s">%s</cbc:TaxAmount>' % (cur, dec_point(amt)),
                  "      <cac:TaxCategory>",
                  '        <cbc:ID schemeAgencyID="320" schemeID="urn:oioubl:id:taxcategoryid-1.1">%s</cbc:ID>' % cat,
                  "        <cbc:Percent>%d</cbc:Percent>" % pct,
                  '        <cac:TaxScheme><cbc:ID schemeAgencyID="320" schemeID="urn:oioubl:id:taxschemeid-1.1">63</cbc:ID><cbc:Name>Moms</cbc:Name></cac:TaxScheme>',
                  "      </cac:TaxCategory>",
                  "    </cac:TaxSubtotal>"]
    o.append("  </cac:TaxTotal>")
    o += ["  <cac:LegalMonetaryTotal>",
          '    <cbc:LineExtensionAmount currencyID="%s">%s</cbc:LineExtensionAmount>' % (cur, dec_point(net)),
          '    <cbc:TaxExclusiveAmount currencyID="%s">%s</cbc:TaxExclusiveAmount>' % (cur, dec_point(tax_excl)),
          '    <cbc:TaxInclusiveAmount currencyID="%s">%s</cbc:TaxInclusiveAmount>' % (cur, dec_point(incl))]
    if allow:
        o.append('    <cbc:AllowanceTotalAmount currencyID="%s">%s</cbc:AllowanceTotalAmount>' % (cur, dec_point(allow)))
    if charge:
        o.append('    <cbc:ChargeTotalAmount currencyID="%s">%s</cbc:ChargeTotalAmount>' % (cur, dec_point(charge)))
    o += ['    <cbc:PayableAmount currencyID="%s">%s</cbc:PayableAmount>' % (cur, dec_point(payable)),
          "  </cac:LegalMonetaryTotal>"]
    for i, (note, name, lnet, pct) in enumerate(lines, 1):
        lvat = (lnet * pct + 50) // 100
        cat = "StandardRated" if pct else "ZeroRated"
        o += ["  <cac:%s>" % line_el, "    <cbc:ID>%d</cbc:ID>" % i]
        if note:
            o.append("    <cbc:Note>%s</cbc:Note>" % xesc(note))
        o += ['    <cbc:%s unitCode="EA">1</cbc:%s>' % (qty_el, qty_el),
              '    <cbc:LineExtensionAmount currencyID="%s">%s</cbc:LineExtensionAmount>' % (cur, dec_point(lnet)),
              "    <cac:TaxTotal>",
              '      <cbc:TaxAmount currencyID="%s">%s</cbc:TaxAmount>' % (cur, dec_point(lvat)),
              "      <cac:TaxSubtotal>",
              '        <cbc:TaxableAmount currencyID="%s">%s</cbc:TaxableAmount>' % (cur, dec_point(lnet)),
              '        <cbc:TaxAmount currencyID="%s">%s</cbc:TaxAmount>' % (cur, dec_point(lvat)),
              "        <cac:TaxCategory>",
              '          <cbc:ID schemeAgencyID="320" schemeID="urn:oioubl:id:taxcategoryid-1.1">%s</cbc:ID>' % cat,
              "          <cbc:Percent>%d</cbc:Percent>" % pct,
              '          <cac:TaxScheme><cbc:ID schemeAgencyID="320" schemeID="urn:oioubl:id:taxschemeid-1.1">63</cbc:ID><cbc:Name>Moms</cbc:Name></cac:TaxScheme>',
              "        </cac:TaxCategory>",
              "      </cac:TaxSubtotal>",
              "    </cac:TaxTotal>",
              "    <cac:Item><cbc:Name>%s</cbc:Name></cac:Item>" % xesc(name),
              '    <cac:Price><cbc:PriceAmount currencyID="%s">%s</cbc:PriceAmount></cac:Price>' % (cur, dec_point(lnet)),
              "  </cac:%s>" % line_el]
    o += ["</%s>" % kind, ""]
    return "\n".join(o)


def doc_total(doc):
    """PayableAmount of oioubl(doc) in øre (negated for a credit note)."""
    net = sum(l[2] for l in doc["lines"])
    allow = sum(a for a, _ in doc.get("allowances", []))
    charge = sum(a for a, _ in doc.get("charges", []))
    std_base = sum(l[2] for l in doc["lines"] if l[3] == 25) - allow + charge
    vat = (std_base * 25 + 50) // 100 if std_base else 0
    t = doc.get("payable_override", net - allow + charge + vat)
    return -t if doc.get("kind", "Invoice") == "CreditNote" else t


def write_drop(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as f:
        f.write(data)
    open(path + ".done", "w").close()


def zip_bytes(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members:
            zi = zipfile.ZipInfo(name, date_time=(2025, 3, 31, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, text)
    return b.getvalue()


PLAN_HEAD = ("Plan_id;Type;Kategori;CVR;EAN;Praefiks_felt;Praefiks;Beloeb_min;Beloeb_max;Kadence;"
             "Tolerance_dage;Max_afvigelse_pct;Kraev_CPR;Konto;Omkostningssted;Startdato;Slutdato")


def gen_cvr(rnd, used):
    while True:
        c = "%08d" % rnd.randint(10000000, 99999999)
        if cvr_valid(c) and c not in used:
            used.add(c)
            return c


def gen_ean(i):
    base = "02991%07d" % i
    s = sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(base))
    return base + str((10 - s % 10) % 10)


def gen_cpr(rnd, used):
    while True:
        c = "%02d%02d%02d%d%03d" % (rnd.randint(61, 88), rnd.randint(1, 12), rnd.randint(40, 99),
                                   rnd.randint(0, 3), rnd.randint(0, 999))
        if cpr_valid(c) and c not in used:
            used.add(c)
            return c


def cpr_dash(c):
    return c[:6] + "-" + c[6:]


def generate(args):
    """A seeded scenario: history night H (2025-02-28) and night N
    (2025-03-31). Every injected reason has its own plan, supplier and
    amount so that the answer key follows from the injection alone."""
    rnd = random.Random(args.seed)
    size = args.n
    H, NIGHT = date(2025, 2, 28), date(2025, 3, 31)
    root = args.root
    usedc, usedp = set(), set()
    amounts = set()

    def amt(lo=50000, hi=2000000):
        while True:
            a = rnd.randint(lo // 100, hi // 100) * 100 + rnd.choice([0, 25, 50, 75])
            if a not in amounts:
                amounts.add(a)
                return a

    E_FAST, E_LAEGE, E_RENT, E_SCOPE, E_OUT = gen_ean(1), gen_ean(2), gen_ean(3), gen_ean(4), gen_ean(5)
    # the robot EANs of this scenario: conf/betalingsplaner.conf's scope-ean
    # line for it is written to ROOT/scope-ean (the test puts it in a copy)
    plans, hist, night_docs, key, post, sugg = [], [], [], [], [], []
    orders, traek = [], []
    inv_no = [0]

    def nid(prefix):
        inv_no[0] += 1
        return "%s-%06d" % (prefix, inv_no[0])

    def plan(pid, typ, cat, cvr, ean, pf="", pr="", lo=None, hi=None, kad="", tol="", maxdev="",
             cpr="N", konto="3.22.01.100", start="2024-01-01", end="2026-12-31"):
        plans.append(";".join([pid, typ, cat, cvr, ean, pf, pr, kr(lo) if lo is not None else "",
                               kr(hi) if hi is not None else "", kad, str(tol), str(maxdev), cpr, konto,
                               "CC1", start, end]))

    def fast_doc(sup, ean, day, total_net, vat=True, **kw):
        d = {"id": nid("F"), "day": day, "supplier": "DK" + sup, "ean": ean, "due": day + timedelta(days=30),
             "order": "NA", "lines": [("Forbrug", "Ydelse", total_net, 25 if vat else 0)]}
        d.update(kw)
        return d

    # ---- clean BETALING plans with a monthly cadence: history + one March invoice
    n_fast = max(1, size // 2)
    for i in range(n_fast):
        c = gen_cvr(rnd, usedc)
        base = amt()
        plan("P-FAST-%04d" % i, "BETALING", "FAST", c, E_FAST, lo=max(0, base * 125 // 100 - 100000),
             hi=base * 125 // 100 + 100000, kad="MAANED", tol=5, maxdev="", konto="3.22.01.%03d" % (i % 900 + 100))
        hd = date(2025, 2, rnd.randint(1, 10))
        hist.append(fast_doc(c, E_FAST, hd, base))
        md = add_months(hd, 1) + timedelta(days=rnd.randint(-3, 5))
        d = fast_doc(c, E_FAST, md, base + rnd.randint(-500, 500) * 100)
        night_docs.append(d)
        post.append(("P-FAST-%04d" % i, "", doc_total(d)))
    # ---- clean doctors' certificates with an order each
    n_laege = max(1, size // 4)
    plan("P-LAEGE", "BETALING", "LAEGEERKLAERING", "*", E_LAEGE, cpr="J", konto="5.68.90.001")
    doctors = [gen_cvr(rnd, usedc) for _ in range(3)]
    for i in range(n_laege):
        c, p = rnd.choice(doctors), gen_cpr(rnd, usedp)
        typ, price = rnd.choice([("LAE125", 39700), ("LAE135", 79600), ("LAE145", 154400)])
        oid = "B-%05d" % (i + 1)
        orders.append((oid, p, typ, c, "2025-02-%02d" % rnd.randint(1, 28)))
        ref = oid if rnd.random() < 0.5 else "N/A"
        d = {"id": nid("L"), "day": date(2025, 3, rnd.randint(2, 28)), "supplier": "DK" + c, "ean": E_LAEGE,
             "order": ref, "due": date(2025, 4, 20),
             "lines": [("LÆ %s vedr. %s" % (typ[3:], cpr_dash(p)), "LÆ %s" % typ[3:], price, 0)]}
        night_docs.append(d)
        post.append(("P-LAEGE", p, price))
    # ---- clean rent streams
    n_rent = max(1, size // 4)
    landlord = gen_cvr(rnd, usedc)
    plan("P-HUSLEJE-%s" % landlord, "BETALING", "HUSLEJE", landlord, E_RENT, kad="MAANED", tol=5, maxdev=5,
         cpr="J", konto="@husleje-mellemregning")
    rent_key = "P-HUSLEJE-%s" % landlord
    for i in range(n_rent):
        p = gen_cpr(rnd, usedp)
        base = amt(400000, 900000)
        hist.append({"id": nid("H"), "day": date(2025, 2, 1), "supplier": "DK" + landlord, "ean": E_RENT,
                     "due": date(2025, 2, 5), "lines": [("Husleje februar, lejer %s" % cpr_dash(p), "Husleje", base, 0)]})
        nb = base + base * rnd.randint(-4, 4) // 100
        d = {"id": nid("H"), "day": date(2025, 3, 1), "supplier": "DK" + landlord, "ean": E_RENT,
             "due": date(2025, 3, 5), "lines": [("Husleje marts, lejer %s" % cpr_dash(p), "Husleje", nb, 0)]}
        night_docs.append(d)
        post.append((rent_key, p, nb))
    # ---- out of scope, and a supplier/EAN pair that deserves a plan
    for i in range(max(1, size // 8)):
        night_docs.append(fast_doc(gen_cvr(rnd, usedc), E_OUT, date(2025, 3, rnd.randint(1, 28)), amt()))
    sc = gen_cvr(rnd, usedc)
    sbase = amt(80000, 120000)
    for k in range(7):
        day = add_months(date(2024, 8, 20), k)
        hist.append(fast_doc(sc, E_OUT, day, sbase + rnd.randint(-20, 20) * 100))
    night_docs.append(fast_doc(sc, E_OUT, date(2025, 3, 20), sbase))
    sugg.append((sc, E_OUT, "MAANED"))

    # ---- injections: one plan (or none) each, answer key by construction
    def inj_plan(pid, **kw):
        plan(pid, **kw)
        return pid

    def expect(code, k, a):
        key.append((code, k, a))

    # dublet-fakturanr: a clean invoice and the same number again
    c = gen_cvr(rnd, usedc)
    k = inj_plan("P-X-DUBLET", typ="BETALING", cat="FAST", cvr=c, ean=E_FAST)
    d1 = fast_doc(c, E_FAST, date(2025, 3, 3), amt())
    d2 = dict(d1)
    d2["lines"] = [("Forbrug", "Ydelse", amt(), 25)]
    night_docs += [d1, d2]
    post.append((k, "", doc_total(d1)))
    expect("dublet-fakturanr", k, doc_total(d2))
    # ean-ugyldig: a FAKTURA plan (order prefix), EAN with a bad check digit
    c = gen_cvr(rnd, usedc)
    k = inj_plan("P-X-EAN", typ="FAKTURA", cat="FAST", cvr=c, ean="", pf="ordre", pr="9911")
    bad = E_FAST[:-1] + str((int(E_FAST[-1]) + 1) % 10)
    d = fast_doc(c, bad, date(2025, 3, 4), amt(), order="9911-0001")
    night_docs.append(d)
    expect("ean-ugyldig", k, doc_total(d))
    # cvr-mangler and cvr-ugyldig: on the doctors' EAN ('*' plan), orders without a doctor
    for code, sup in (("cvr-mangler", ""), ("cvr-ugyldig", "DK12345678")):
        p = gen_cpr(rnd, usedp)
        oid = "B-X-%s" % code
        orders.append((oid, p, "LAE125", "", "2025-02-01"))
        night_docs.append({"id": nid("L"), "day": date(2025, 3, 5), "supplier": sup, "ean": E_LAEGE,
                           "order": oid, "due": date(2025, 4, 5),
                           "lines": [("LÆ 125 vedr. %s" % cpr_dash(p), "LÆ 125", 39700, 0)]})
        expect(code, "P-LAEGE", 39700)
    # sum-afviger: TaxExclusiveAmount holding the net, as in UBL
    c = gen_cvr(rnd, usedc)
    k = inj_plan("P-X-SUM", typ="BETALING", cat="FAST", cvr=c, ean=E_FAST)
    a = amt()
    d = fast_doc(c, E_FAST, date(2025, 3, 6), a, tax_excl_override=a)
    night_docs.append(d)
    expect("sum-afviger", k, doc_total(d))
    # kreditnota: a credit note with an allowance
    c = gen_cvr(rnd, usedc)
    k = inj_plan("P-X-KREDIT", typ="BETALING", cat="FAST", cvr=c, ean=E_FAST)
    d = fast_doc(c, E_FAST, date(2025, 3, 7), amt(), kind="CreditNote", allowances=[(5000, "Rabat")],
                 billing_ref="F-000001")
    night_docs.append(d)
    expect("kreditnota", k, doc_total(d))
    # flere-planer: two order-prefix plans of the same length
    c = gen_cvr(rnd, usedc)
    inj_plan("P-X-FLERE-A", typ="FAKTURA", cat="FAST", cvr=c, ean="", pf="ordre", pr="77A")
    inj_plan("P-X-FLERE-B", typ="FAKTURA", cat="FAST", cvr=c, ean="", pf="faktura", pr="77B")
    d = fast_doc(c, E_OUT, date(2025, 3, 8), amt(), order="77A-1", id="77B-1")
    night_docs.append(d)
    expect("flere-planer", "UNMATCHED", doc_total(d))
    # plan-udloebet
    c = gen_cvr(rnd, usedc)
    inj_plan("P-X-UDLOEBET", typ="BETALING", cat="FAST", cvr=c, ean=E_FAST, end="2025-02-28")
    d = fast_doc(c, E_FAST, date(2025, 3, 9), amt())
    night_docs.append(d)
    expect("plan-udloebet", "UNMATCHED", doc_total(d))
    # cvr-ikke-godkendt: rent from an unknown landlord
    c, p = gen_cvr(rnd, usedc), gen_cpr(rnd, usedp)
    a = amt(400000, 900000)
    night_docs.append({"id": nid("H"), "day": date(2025, 3, 1), "supplier": "DK" + c, "ean": E_RENT,
                       "due": date(2025, 3, 5), "lines": [("Husleje marts, lejer %s" % cpr_dash(p), "Husleje", a, 0)]})
    expect("cvr-ikke-godkendt", "UNMATCHED", a)
    # ingen-plan: a robot EAN whose only plan is another supplier's
    inj_plan("P-X-SCOPE", typ="BETALING", cat="FAST", cvr=gen_cvr(rnd, usedc), ean=E_SCOPE)
    d = fast_doc(gen_cvr(rnd, usedc), E_SCOPE, date(2025, 3, 10), amt())
    night_docs.append(d)
    expect("ingen-plan", "UNMATCHED", doc_total(d))
    # cpr-mangler: a certificate without CPR or order reference
    night_docs.append({"id": nid("L"), "day": date(2025, 3, 11), "supplier": "DK" + doctors[0], "ean": E_LAEGE,
                       "order": "NA", "due": date(2025, 4, 5),
                       "lines": [("LÆ 145 Generel helbredsattest", "LÆ 145", 154400, 0)]})
    expect("cpr-mangler", "P-LAEGE", 154400)
    # beloeb-uden-for-interval
    c = gen_cvr(rnd, usedc)
    k = inj_plan("P-X-INTERVAL", typ="BETALING", cat="FAST", cvr=c, ean=E_FAST, lo=100000, hi=200000)
    d = fast_doc(c, E_FAST, date(2025, 3, 12), 300000)
    night_docs.append(d)
    expect("beloeb-uden-for-interval", k, doc_total(d))
    # ingen-bestilling: a CPR nobody ordered for
    p = gen_cpr(rnd, usedp)
    night_docs.append({"id": nid("L"), "day": date(2025, 3, 13), "supplier": "DK" + doctors[1], "ean": E_LAEGE,
                       "order": "", "due": date(2025, 4, 5),
                       "lines": [("LÆ 125 vedr. %s" % cpr_dash(p), "LÆ 125", 39700, 0)]})
    expect("ingen-bestilling", "P-LAEGE", 39700)
    # bestilling-allerede-faktureret: the order's clean invoice, then another
    p = gen_cpr(rnd, usedp)
    orders.append(("B-X-TWICE", p, "LAE125", doctors[2], "2025-02-02"))
    for day, expected in ((14, False), (15, True)):
        night_docs.append({"id": nid("L"), "day": date(2025, 3, day), "supplier": "DK" + doctors[2],
                           "ean": E_LAEGE, "order": "B-X-TWICE", "due": date(2025, 4, 5),
                           "lines": [("LÆ 125 vedr. %s" % cpr_dash(p), "LÆ 125", 39700, 0)]})
        if expected:
            expect("bestilling-allerede-faktureret", "P-LAEGE", 39700)
        else:
            post.append(("P-LAEGE", p, 39700))
    # attesttype-afviger: ordered LAE125, invoiced LAE135
    p = gen_cpr(rnd, usedp)
    orders.append(("B-X-TYPE", p, "LAE125", doctors[0], "2025-02-03"))
    night_docs.append({"id": nid("L"), "day": date(2025, 3, 16), "supplier": "DK" + doctors[0], "ean": E_LAEGE,
                       "order": "B-X-TYPE", "due": date(2025, 4, 5),
                       "lines": [("LÆ 135 vedr. %s" % cpr_dash(p), "LÆ 135", 79600, 0)]})
    expect("attesttype-afviger", "P-LAEGE", 79600)
    # takst-afviger
    p = gen_cpr(rnd, usedp)
    orders.append(("B-X-TAKST", p, "LAE135", doctors[1], "2025-02-04"))
    night_docs.append({"id": nid("L"), "day": date(2025, 3, 17), "supplier": "DK" + doctors[1], "ean": E_LAEGE,
                       "order": "B-X-TAKST", "due": date(2025, 4, 5),
                       "lines": [("LÆ 135 vedr. %s" % cpr_dash(p), "LÆ 135", 120000, 0)]})
    expect("takst-afviger", "P-LAEGE", 120000)
    # kadence-for-tidlig: a monthly plan, February's invoice, March twice
    c = gen_cvr(rnd, usedc)
    k = inj_plan("P-X-KADENCE", typ="BETALING", cat="FAST", cvr=c, ean=E_FAST, kad="MAANED", tol=5)
    hist.append(fast_doc(c, E_FAST, date(2025, 2, 3), 100000))
    d1 = fast_doc(c, E_FAST, date(2025, 3, 3), 100000)
    d2 = fast_doc(c, E_FAST, date(2025, 3, 10), 100100)
    night_docs += [d1, d2]
    post.append((k, "", doc_total(d1)))
    expect("kadence-for-tidlig", k, doc_total(d2))
    # maanedsafvigelse: a rent stream jumping 20 %
    p = gen_cpr(rnd, usedp)
    hist.append({"id": nid("H"), "day": date(2025, 2, 1), "supplier": "DK" + landlord, "ean": E_RENT,
                 "due": date(2025, 2, 5), "lines": [("Husleje februar, lejer %s" % cpr_dash(p), "Husleje", 500000, 0)]})
    night_docs.append({"id": nid("H"), "day": date(2025, 3, 1), "supplier": "DK" + landlord, "ean": E_RENT,
                       "due": date(2025, 3, 5), "lines": [("Husleje marts, lejer %s" % cpr_dash(p), "Husleje", 600000, 0)]})
    expect("maanedsafvigelse", rent_key, 600000)
    # traek-ne-faktura: a second landlord whose tenant's deduction differs
    l2, p = gen_cvr(rnd, usedc), gen_cpr(rnd, usedp)
    k = inj_plan("P-X-TRAEK", typ="BETALING", cat="HUSLEJE", cvr=l2, ean=E_RENT, cpr="J",
                 konto="@husleje-mellemregning")
    night_docs.append({"id": nid("H"), "day": date(2025, 3, 2), "supplier": "DK" + l2, "ean": E_RENT,
                       "due": date(2025, 3, 5), "lines": [("Husleje marts, lejer %s" % cpr_dash(p), "Husleje", 450000, 0)]})
    traek.append((p, "2025-03", l2, 440000))
    expect("traek-ne-faktura", k, 450000)
    # kadence-mangler: February's invoice and nothing in March
    c = gen_cvr(rnd, usedc)
    k = inj_plan("P-X-MANGLER", typ="BETALING", cat="FAST", cvr=c, ean=E_FAST, kad="MAANED", tol=5)
    d = fast_doc(c, E_FAST, date(2025, 2, 2), amt())
    hist.append(d)
    expect("kadence-mangler", k, doc_total(d))
    # plan-udloeber
    k = inj_plan("P-X-UDLOEBER", typ="BETALING", cat="FAST", cvr=gen_cvr(rnd, usedc), ean=E_FAST,
                 end="2025-04-20")
    expect("plan-udloeber", k, 0)
    # plan-fejl: CVR '*' on a fixed-cost plan
    inj_plan("P-X-FEJL", typ="BETALING", cat="FAST", cvr="*", ean=E_FAST)
    expect("plan-fejl", "P-X-FEJL", 0)
    # ikke-oioubl: a PEPPOL BIS file and a file with a DOCTYPE
    peppol = oioubl(fast_doc(gen_cvr(rnd, usedc), E_FAST, date(2025, 3, 18), amt(),
                             custom="urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"))
    expect("ikke-oioubl", "UNMATCHED", 0)
    doctype = oioubl(fast_doc(gen_cvr(rnd, usedc), E_FAST, date(2025, 3, 18), amt())).replace(
        "<Invoice ", '<!DOCTYPE Invoice [<!ENTITY x "x">]>\n<Invoice ', 1)
    expect("ikke-oioubl", "UNMATCHED", 0)

    # ---- write
    if os.path.exists(root):
        shutil.rmtree(root)
    hd = os.path.join(root, iso(H), "drops", "faktura")
    nd = os.path.join(root, iso(NIGHT), "drops", "faktura")
    write_drop(os.path.join(hd, "BETALINGSPLANER_20250101.csv"), PLAN_HEAD + "\n" + "\n".join(plans) + "\n")
    for d in hist:
        write_drop(os.path.join(hd, "%s.xml" % d["id"]), oioubl(d))
    write_drop(os.path.join(nd, "BESTILLINGER_20250301.csv"),
               "Bestillings_id;CPR;Attesttype;Laege_CVR;Bestilt_dato;Status\n" +
               "".join("%s;%s;%s;%s;%s;BESTILT\n" % (o[0], cpr_dash(o[1]), o[2], o[3], o[4]) for o in orders))
    write_drop(os.path.join(nd, "AKTIV_Huslejetraek_20250301.csv"),
               "CPR;Maaned;Udlejer_CVR;Traek\n" +
               "".join("%s;%s;%s;%s\n" % (cpr_dash(t[0]), t[1], t[2], kr(t[3])) for t in traek))
    docs = [("N%06d.xml" % i, oioubl(d)) for i, d in enumerate(night_docs)]
    if args.bundle:
        for b in range(0, len(docs), args.bundle):
            write_drop(os.path.join(nd, "bundle-%05d.zip" % (b // args.bundle)), zip_bytes(docs[b:b + args.bundle]))
    else:
        for name, text in docs:
            write_drop(os.path.join(nd, name), text)
    write_drop(os.path.join(nd, "X-peppol.xml"), peppol)
    write_drop(os.path.join(nd, "X-doctype.xml"), doctype)
    # traek for the clean rent streams too (they must agree): none given for
    # them, and rule 14 reads only (CPR, month, landlord) rows... so give
    # every clean tenant its deduction
    with open(os.path.join(nd, "AKTIV_Huslejetraek_20250301.csv"), "a", encoding="utf-8") as f:
        for k2, p, a in post:
            if k2 == rent_key:
                f.write("%s;2025-03;%s;%s\n" % (cpr_dash(p), landlord, kr(a)))
    with open(os.path.join(root, "scope-ean"), "w") as f:
        f.write("scope-ean  %s %s %s\n" % (E_LAEGE, E_RENT, E_SCOPE))
    with open(args.expected, "w") as f:
        f.write("".join(l + "\n" for l in sorted(("%s;%s;%s" % (c, k, kr(a)) for c, k, a in key),
                                                  key=lambda s: s.encode())))
    with open(args.expected + ".postings", "w") as f:
        f.write("".join(l + "\n" for l in sorted(("%s;%s;%s" % (k, p, kr(a)) for k, p, a in post),
                                                  key=lambda s: s.encode())))
    with open(args.expected + ".suggestions", "w") as f:
        f.write("".join("%s;%s;%s\n" % s for s in sorted(sugg)))
    return 0


def big(args):
    size = {"attachment": 3 * 1024 * 1024, "huge-text": MAX_TEXT + 1}[args.kind]
    num = {"attachment": "SU-88814", "huge-text": "SU-88815"}[args.kind]
    d = {"id": num, "day": date(2025, 3, 27), "due": date(2025, 4, 26), "order": "4711203-0043",
         "supplier": "DK67890124", "sname": "Skoleudstyr Nord A/S", "ean": "0299000000053",
         "ename": "Skole Nord", "means": "42", "lines": [("", "Whiteboardtavle", 80000, 25)]}
    blob = ("JVBERi0xLjQK" + "QUJD" * (size // 4))[:size]
    att = ("  <cac:AdditionalDocumentReference>\n"
           "    <cbc:ID>%s.pdf</cbc:ID>\n"
           "    <cac:Attachment>\n"
           '      <cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf">%s</cbc:EmbeddedDocumentBinaryObject>\n'
           "    </cac:Attachment>\n"
           "  </cac:AdditionalDocumentReference>\n" % (num, blob))
    x = oioubl(d)
    x = x.replace("  <cac:AccountingSupplierParty>", att + "  <cac:AccountingSupplierParty>", 1)
    write_drop(os.path.join(args.drops, "faktura", num + ".xml"), x)
    return 0


def breaks_of(path):
    """tests/lib-recon.sh breaks: reason;key;amount, sorted bytewise."""
    out = []
    with open(path, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f, delimiter=";"))
    for r in rows[1:]:
        out.append("%s;%s;%s" % (r[7].split(":", 1)[0], r[4], r[6]))
    return sorted(out, key=lambda s: s.encode())


def check(args):
    tmp = tempfile.mkdtemp(prefix="bp-check-")
    try:
        ga = argparse.Namespace(seed=args.seed, root=os.path.join(tmp, "nights"),
                                expected=os.path.join(tmp, "expected"), n=args.n, bundle=args.bundle)
        generate(ga)
        scope = open(os.path.join(ga.root, "scope-ean")).read().split()[1:]
        ma = argparse.Namespace(root=ga.root, night="2025-03-31", out=os.path.join(tmp, "out"),
                                conf=args.conf, schemas=args.schemas, set=["scope-ean=" + ",".join(scope)],
                                extra=[], rerun=[], se=args.se, quiet=True)
        model(ma)
        o = os.path.join(tmp, "out", "2025-03-31")
        ok = True
        got = breaks_of(os.path.join(o, "exceptions", RECON + ".csv"))
        want = open(ga.expected).read().split("\n")[:-1]
        if got != want:
            ok = False
            print("exceptions differ:\n  only model: %s\n  only key:   %s" % (
                sorted(set(got) - set(want)), sorted(set(want) - set(got))))
        with open(os.path.join(o, "postings", RECON + ".csv"), encoding="utf-8-sig") as f:
            rows = list(csv.reader(f, delimiter=";"))[1:]
        gotp = sorted(("%s;%s;%s" % (r[4], r[5], r[6]) for r in rows), key=lambda s: s.encode())
        wantp = open(ga.expected + ".postings").read().split("\n")[:-1]
        if gotp != wantp:
            ok = False
            print("postings differ:\n  only model: %s\n  only key:   %s" % (
                sorted(set(gotp) - set(wantp))[:10], sorted(set(wantp) - set(gotp))[:10]))
        with open(os.path.join(o, "suggestions", RECON + ".csv"), encoding="utf-8-sig") as f:
            rows = list(csv.reader(f, delimiter=";"))[1:]
        gots = sorted("%s;%s;%s" % (r[3], r[4], r[9]) for r in rows)
        wants = open(ga.expected + ".suggestions").read().split("\n")[:-1]
        if gots != wants:
            ok = False
            print("suggestions differ: model %s, key %s" % (gots, wants))
        print("seed %d, %d invoices: %s (%d exceptions, %d postings)" % (
            args.seed, args.n, "ok" if ok else "FAILED", len(got), len(gotp)))
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("model")
    m.add_argument("root")
    m.add_argument("night")
    m.add_argument("out")
    for p in (m,):
        p.add_argument("--conf", default=None)
        p.add_argument("--schemas", default=None)
        p.add_argument("--set", action="append")
        p.add_argument("--extra", action="append")
        p.add_argument("--rerun", action="append")
        p.add_argument("--se", default="29757895")
        p.add_argument("--quiet", action="store_true")
    g = sub.add_parser("gen")
    g.add_argument("seed", type=int)
    g.add_argument("root")
    g.add_argument("expected")
    g.add_argument("n", type=int, nargs="?", default=40)
    g.add_argument("--bundle", type=int, default=0)
    b = sub.add_parser("big")
    b.add_argument("kind", choices=["attachment", "huge-text"])
    b.add_argument("drops")
    c = sub.add_parser("check")
    c.add_argument("seed", type=int)
    c.add_argument("n", type=int, nargs="?", default=40)
    c.add_argument("--bundle", type=int, default=0)
    c.add_argument("--conf", default=None)
    c.add_argument("--schemas", default=None)
    c.add_argument("--se", default="29757895")
    a = ap.parse_args()
    if a.cmd in ("model", "check"):
        a.conf = a.conf or os.path.join(TOP, "conf")
        a.schemas = a.schemas or os.path.join(TOP, "schemas")
    if a.cmd == "model":
        return model(a)
    if a.cmd == "gen":
        return generate(a)
    if a.cmd == "big":
        return big(a)
    return check(a)


if __name__ == "__main__":
    sys.exit(main())
