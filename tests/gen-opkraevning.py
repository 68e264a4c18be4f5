#!/usr/bin/env python3
"""Reference model and seeded generator for the opkraevning reconciliation
(seed 003, EASY-A student-fee charges; stages/match-opkraevning/ is the C
implementation, README.md "Opkrævning" the rules). The model is a second,
independent implementation of the same rules: the end-to-end test
(tests/t0430-opkraevning.sh) runs both on the same drops.

usage:
  gen-opkraevning.py SEED DROPS EXPECT [GROUPS [STUDENTS]]
        writes a generated night (2025-03-15) into DROPS with every rule
        injected, and EXPECT: 'reason;key;amount' per exception, sorted
        bytewise (what tests/lib-recon.sh's breaks() prints).
        GROUPS course groups (default 4, at least 2), STUDENTS clean
        students per group (default 8).
  gen-opkraevning.py model DROPS DATE OUT [CONF]
        the reference model: reads DROPS/easya/ as the pipeline would for
        night DATE (YYYY-MM-DD) and writes OUT/DATE/summary/opkraevning.csv
        and OUT/DATE/exceptions/opkraevning.csv byte for byte as the stage
        must (a fresh store: first_seen = the night, age 0).
        CONF defaults to ../conf/opkraevning.conf beside this script.
  gen-opkraevning.py check SEED [GROUPS [STUDENTS]]
        generates into a temporary directory, runs the model and compares
        its breaks with the answer key; exit 0 when equal.
  gen-opkraevning.py fixture DROPS
        writes the brief's worked example (seeds-000-001-003.md 3.7),
        night 2025-03-15, into DROPS.
  gen-opkraevning.py selftest
        the date helpers' unit-test table (DESIGN.md section 6) and the
        CPR cases, checked against Python's datetime.

Python 3 standard library only. Money is integer øre throughout.
"""
import csv
import datetime
import hashlib
import io
import os
import random
import re
import shutil
import sys
import tempfile

RECON = "opkraevning"
SE = "29594104"                  # the school's CVR (invented, modulus 11)

# --------------------------------------------------------------------------
# Date helpers on YYYYMMDD integers (the proposed pipeline/date.h functions)
# --------------------------------------------------------------------------


def is_leap(y):
    return (y % 4 == 0 and y % 100 != 0) or y % 400 == 0


def days_in_month(y, m):
    return [31, 29 if is_leap(y) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]


def day_is_valid(y, m, d):
    return 1800 <= y <= 2199 and 1 <= m <= 12 and 1 <= d <= days_in_month(y, m)


def ymd(d):
    return d // 10000, d // 100 % 100, d % 100


def day_number(d):
    """Days from 1970-01-01 (as pipeline/date.h day_number)."""
    y, m, dd = ymd(d)
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + dd - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def day_from_number(n):
    n += 719468
    era = (n if n >= 0 else n - 146096) // 146097
    doe = n - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return (y + (m <= 2)) * 10000 + m * 100 + d


def day_add_days(d, n):
    return day_from_number(day_number(d) + n)


def day_quarter_start(d):
    """The first day of the calendar quarter holding d: 1 Jan, 1 Apr, 1 Jul, 1 Oct."""
    y, m, _ = ymd(d)
    return y * 10000 + ((m - 1) // 3 * 3 + 1) * 100 + 1


def age_on(birth, on):
    """Whole years of age on day 'on' of a person born on 'birth'; -1 if on < birth.
    The age rises on the birthday itself; born 29 Feb: on 1 Mar in other years."""
    if on < birth:
        return -1
    a = on // 10000 - birth // 10000
    if on % 10000 < birth % 10000:
        a -= 1
    return a


def age_at_quarter_start(birth, d):
    return age_on(birth, day_quarter_start(d))


PERIOD_TO_INCLUSIVE, PERIOD_TO_EXCLUSIVE = 0, 1


def period_covers(frm, to, d, end=PERIOD_TO_INCLUSIVE):
    """Whether the period from..to covers d. frm 0: no start bound; to 0: no end
    bound. frm is always inclusive; to inclusive or exclusive as 'end' says."""
    if frm and d < frm:
        return False
    if to:
        return d <= to if end == PERIOD_TO_INCLUSIVE else d < to
    return True


def day_add_months(d, n):
    """Adds n months (negative: back); a day past the new month's end is clamped
    to its last day: 2025-01-31 + 1 = 2025-02-28."""
    y, m, dd = ymd(d)
    t = y * 12 + (m - 1) + n
    y2, m2 = t // 12, t % 12 + 1
    return y2 * 10000 + m2 * 100 + min(dd, days_in_month(y2, m2))


def day_half_year(d):
    """YYYYH: 1 for January-June, 2 for July-December (20251, 20252)."""
    y, m, _ = ymd(d)
    return y * 10 + (1 if m <= 6 else 2)


def day_half_year_start(d):
    y, m, _ = ymd(d)
    return y * 10000 + (101 if m <= 6 else 701)


def month_add(yyyymm, n):
    t = yyyymm // 100 * 12 + yyyymm % 100 - 1 + n
    return t // 12 * 100 + t % 12 + 1


def iso(d):
    return f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}" if d else ""


def month_iso(mm):
    return f"{mm // 100:04d}-{mm % 100:02d}"


def parse_day(s):
    """pipeline/date.h day_parse: YYYY-MM-DD, DD-MM-YYYY, YYYYMMDD."""
    if re.fullmatch(r"\d{8}", s):
        y, m, d = int(s[:4]), int(s[4:6]), int(s[6:])
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        y, m, d = int(s[:4]), int(s[5:7]), int(s[8:])
    elif re.fullmatch(r"\d{2}-\d{2}-\d{4}", s):
        d, m, y = int(s[:2]), int(s[3:5]), int(s[6:])
    else:
        raise ValueError("date is not YYYY-MM-DD, DD-MM-YYYY or YYYYMMDD")
    if not day_is_valid(y, m, d):
        raise ValueError("date is not a real date")
    return y * 10000 + m * 100 + d


# --------------------------------------------------------------------------
# Identifiers and money
# --------------------------------------------------------------------------


def cpr_century(d7, yy):
    if d7 <= 3:
        return 1900
    if d7 in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def cpr_parse(s, substitute=True):
    """(10 digits, birth YYYYMMDD) or None. A substitute number (day 61-91,
    erstatningspersonnummer) is valid with birth day = day - 60."""
    s = s.strip()
    if re.fullmatch(r"\d{6}-\d{4}", s):
        s = s[:6] + s[7:]
    if not re.fullmatch(r"\d{10}", s):
        return None
    dd, mm, yy, d7 = int(s[:2]), int(s[2:4]), int(s[4:6]), int(s[6])
    if substitute and 61 <= dd <= 91:
        dd -= 60
    y = cpr_century(d7, yy) + yy
    if not day_is_valid(y, mm, dd):
        return None
    return s, y * 10000 + mm * 100 + dd


def ean_valid(s):
    if not re.fullmatch(r"\d{13}", s):
        return False
    tot = sum(int(s[i]) * (3 if k % 2 == 0 else 1) for k, i in enumerate(range(11, -1, -1)))
    return (10 - tot % 10) % 10 == int(s[12])


def ean_make(body12):
    tot = sum(int(body12[i]) * (3 if k % 2 == 0 else 1) for k, i in enumerate(range(11, -1, -1)))
    return body12 + str((10 - tot % 10) % 10)


MONEY_RE = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?")


def parse_money(s):
    s = s.strip()
    if not MONEY_RE.fullmatch(s):
        raise ValueError("amount is not Danish notation")
    neg = s.startswith("-")
    s = s.lstrip("-").replace(".", "")
    whole, _, frac = s.partition(",")
    v = int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
    return -v if neg else v


def kr(ore, dots=True):
    sign = "-" if ore < 0 else ""
    ore = abs(ore)
    whole = f"{ore // 100:,}".replace(",", ".") if dots else str(ore // 100)
    return f"{sign}{whole},{ore % 100:02d}"


def plain(ore):
    return kr(ore, dots=False)


# --------------------------------------------------------------------------
# Configuration: conf/opkraevning.conf
# --------------------------------------------------------------------------

DEFAULT_CONF = {
    "berettiget": "Skhber", "ikke-berettiget": "Skhejb", "individuelt": "Individuelt gebyr",
    "job-elevbetalinger": "D438", "job-individuelle": "D638",
    "adult-age": 18, "lookahead-days": 30, "months-back": 1, "ns-booking-days": 10,
}


def conf_words(line):
    out, cur, q, had = [], "", False, False
    for ch in line:
        if q:
            if ch == '"':
                q = False
            else:
                cur += ch
        elif ch == '"':
            q, had = True, True
        elif ch == "#":
            break
        elif ch in " \t":
            if cur or had:
                out.append(cur)
            cur, had = "", False
        else:
            cur += ch
    if cur or had:
        out.append(cur)
    return out


def load_conf(path):
    c = dict(DEFAULT_CONF)
    if not path or not os.path.exists(path):
        return c
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            w = conf_words(line.rstrip("\n"))
            if not w:
                continue
            if w[0] == "central-type" and len(w) == 3 and w[1] in (
                    "berettiget", "ikke-berettiget", "individuelt"):
                c[w[1]] = w[2]
            elif w[0] == "job" and len(w) == 3 and w[1] in ("elevbetalinger", "individuelle"):
                c["job-" + w[1]] = w[2]
            elif w[0] in ("adult-age", "lookahead-days", "months-back", "ns-booking-days") \
                    and len(w) == 2 and w[1].isdigit():
                c[w[0]] = int(w[1])
            else:
                raise SystemExit(f"{path}:{n}: unknown or malformed directive")
    return c


# --------------------------------------------------------------------------
# Inputs: the five files through their schemas (DESIGN.md section 3)
# --------------------------------------------------------------------------

YN = ("J", "N")
SCHEMAS = {
    # column: (field, kind, presence, allowed values)
    #   kind: text day money int cpr;  presence: req (column and value),
    #   col (column must exist, value may be empty), opt (column may be missing)
    "lines": ("EASYA_Opkraevningslinjer", {
        "Forloebsgruppe": ("group", "text", "req", None),
        "CPR": ("cpr", "cpr", "req", None),
        "Gebyrtype": ("gebyrtype", "text", "req", None),
        "Central_gebyrtype": ("central", "text", "col", None),
        "Rate": ("rate", "int", "req", None),
        "Difference": ("diff", "text", "req", YN),
        "Beloeb": ("amount", "money", "req", None),
        "Opkraevet_beloeb": ("charged", "money", "col", None),
        "Forfaldsdato": ("due", "day", "col", None),
        "Oe_kontostreng": ("account", "text", "col", None),
        "Debitortype": ("dtype", "text", "col", ("P", "L", "E", "N")),
        "EASYA_ident": ("ident", "text", "col", None),
        "NS_debitornr": ("nsnr", "text", "col", None),
        "Skal_arve": ("skal", "text", "req", YN),
        "Aut_arv": ("aut", "text", "req", YN),
        "Opkr_nr": ("opkr", "text", "col", None),
        "Status": ("status", "text", "req", ("IKKE_OPKRAEVET", "OPKRAEVET", "KREDITERET")),
        "Enhedstype": ("unit", "text", "opt",
                       ("FORLOEBSGRUPPE", "BOOKINGGRUPPE", "HOLD", "KURSIST", "GAEST")),
        "Opkr_job": ("job", "text", "opt", None),
        "Opkraevet_dato": ("charged_day", "day", "opt", None),
        "EAN_nr": ("ean", "text", "opt", None),
        "Oprindelig_gruppe": ("origin", "text", "opt", None),
    }),
    "fees": ("EASYA_Gruppegebyrer", {
        "Forloebsgruppe": ("group", "text", "req", None),
        "Gruppe_start": ("gstart", "day", "col", None),
        "Gruppe_slut": ("gend", "day", "col", None),
        "Gebyrtype": ("gebyrtype", "text", "req", None),
        "Central_gebyrtype": ("central", "text", "col", None),
        "Rate": ("rate", "int", "req", None),
        "Beloeb": ("amount", "money", "req", None),
        "Forfaldsdato": ("due", "day", "col", None),
        "Oe_kontostreng": ("account", "text", "col", None),
        "Debitortype": ("dtype", "text", "col", ("P", "L", "E", "N")),
        "Enhedstype": ("unit", "text", "opt",
                       ("FORLOEBSGRUPPE", "BOOKINGGRUPPE", "HOLD", "KURSIST", "GAEST")),
    }),
    "students": ("EASYA_Elever", {
        "CPR": ("cpr", "cpr", "req", None),
        "Forloebsgruppe": ("group", "text", "req", None),
        "Placering_start": ("start", "day", "col", None),
        "Placering_slut": ("end", "day", "col", None),
        "Skolehjem": ("boarding", "text", "req", YN),
        "Skolehjemsaarselev": ("aarselev", "text", "req", YN),
        "Forsoerger": ("provider", "text", "req", YN),
        "Uddannelsesaftale_fra": ("agr_from", "day", "col", None),
        "Uddannelsesaftale_til": ("agr_to", "day", "col", None),
        "Laerested_id": ("laerested", "text", "col", None),
        "Arv_fra_rate": ("arv", "int", "col", None),
        "Placering_slettet": ("deleted", "text", "req", YN),
        "Flyttet_fra": ("moved_from", "text", "opt", None),
        "Flyttedato": ("moved_day", "day", "opt", None),
    }),
    "nsdeb": ("NS_Debitorer", {
        "NS_debitornr": ("nsnr", "text", "req", None),
        "Navn": ("name", "text", "col", None),
        "Inaktiv_pr": ("inactive", "day", "col", None),
    }),
    "nsopk": ("NS_Opkraevninger", {
        "Opkr_nr": ("opkr", "text", "req", None),
        "Bilagsnr": ("bilag", "text", "col", None),
        "Bogfoert": ("booked", "text", "req", YN),
        "Beloeb": ("amount", "money", "req", None),
        "Kreditnota": ("credit", "text", "req", YN),
    }),
}


def read_text(path):
    raw = open(path, "rb").read()
    try:
        t = raw.decode("utf-8")
    except UnicodeDecodeError:
        t = raw.decode("cp1252")
    return t[1:] if t.startswith("\ufeff") else t


def newest(drops, prefix, night, pipeline_months_back=1):
    """The newest landed file PREFIX_YYYYMMDD.csv (with its .done marker) dated
    on or before the night, within the store's month range."""
    best = None
    d = os.path.join(drops, "easya")
    lo = month_add(night // 100, -pipeline_months_back)
    if not os.path.isdir(d):
        return None
    for name in os.listdir(d):
        m = re.fullmatch(re.escape(prefix) + r"_(\d{8})\.csv", name)
        if not m or not os.path.exists(os.path.join(d, name + ".done")):
            continue
        fd = int(m.group(1))
        if fd <= night and fd // 100 >= lo and (best is None or fd > best[0]):
            best = (fd, os.path.join(d, name))
    return best


def load_kind(drops, kind, night, rejected):
    prefix, cols = SCHEMAS[kind]
    f = newest(drops, prefix, night)
    if not f:
        return None
    rows = []
    reader = csv.reader(io.StringIO(read_text(f[1])), delimiter=";", quotechar='"')
    header = next(reader, None) or []
    idx = {h: i for i, h in enumerate(header)}
    for col, (_, _, pres, _) in cols.items():
        if pres != "opt" and col not in idx:
            raise SystemExit(f"{f[1]}: column '{col}' missing")
    for lineno, cells in enumerate(reader, 2):
        if not any(c.strip() for c in cells):
            continue
        rec, bad = {"line": lineno}, None
        for col, (field, typ, pres, allowed) in cols.items():
            i = idx.get(col)
            v = cells[i].strip() if i is not None and i < len(cells) else ""
            if i is not None and i >= len(cells):
                bad = (col, "row has too few columns")
                break
            if not v:
                if pres == "req":
                    bad = (col, "required value is empty")
                    break
                rec[field] = 0 if typ in ("day", "money", "int") else ""
                continue
            try:
                if typ == "day":
                    rec[field] = parse_day(v)
                elif typ == "money":
                    rec[field] = parse_money(v)
                elif typ == "int":
                    if not v.isdigit() or len(v) > 18:
                        raise ValueError("number has a character that is not a digit")
                    rec[field] = int(v)
                elif typ == "cpr":
                    p = cpr_parse(v)
                    if p is None:    # normalise rejects the row
                        raise ValueError("CPR is not a valid or substitute number")
                    rec[field] = p[0]
                    rec["birth"] = p[1]
                else:
                    if allowed and v not in allowed:
                        raise ValueError("value is not one of " + ",".join(allowed))
                    rec[field] = v
            except ValueError as e:
                bad = (col, str(e))
                break
        if bad:
            rejected.append(f"{os.path.basename(f[1])}:{lineno}:{bad[0]}: {bad[1]}")
            continue
        rows.append(rec)
    return rows


# --------------------------------------------------------------------------
# Reason codes: precedence (first wins), class and text (DESIGN.md 2.4)
# --------------------------------------------------------------------------

REASONS = [
    ("skolehjemsgebyr-paa-hold", "skolehjemsgebyr på et hold, kun tilladt på forløbsgruppe "
     "eller bookinggruppe / boarding fee on a hold, allowed only on a course or booking group"),
    ("uden-central-gebyrtype", "lokal gebyrtype uden central gebyrtype / local fee type not "
     "tied to a central fee type"),
    ("elev-ikke-placeret", "gebyrlinje for en elev der ikke er placeret på gruppen / fee line "
     "for a student not placed on the group"),
    ("kreditnota-mangler", "placeringen er slettet efter opkrævning, kreditnota mangler / "
     "placement deleted after charging, credit note missing"),
    ("placering-slettet", "placeringen er slettet, men det ikke-opkrævede gebyr står stadig / "
     "placement deleted but its uncharged fee remains"),
    ("ikke-slettet-efter-flytning", "gebyr står stadig på forløbet eleven er flyttet fra / "
     "fee left uncharged on the course the student moved from"),
    ("flytning-uden-tilsvarende-gebyr", "flyttet opkrævning uden ens gebyr (type, beløb, "
     "Ø-kontostreng) på det nye forløb / moved charge without an equal fee on the new course"),
    ("arv-uden-skolehjem", "skolehjemsgebyr til elev uden 'J' til skolehjem / boarding fee "
     "for a student without boarding"),
    ("forkert-skolehjemstype", "forkert skolehjemsgebyrtype for skolehjemsårselev (J: "
     "berettiget, N: ikke berettiget) / wrong boarding fee type for the student's entitlement"),
    ("forsoerger-opkraevet", "forsørger berettiget til skolehjem skal ikke betale / entitled "
     "student who supports children pays no boarding fee"),
    ("under-18-opkraevet", "under 18 år ved begyndelsen af forfaldsdatoens kvartal uden "
     "uddannelsesaftale der dækker forfaldsdatoen / under 18 at the start of the due date's "
     "quarter without an education agreement covering the due date"),
    ("forfald-efter-slutdato", "forfaldsdato efter elevens eller gruppens slutdato (Aut. arv. "
     "J) / due after the student's or the group's end date (automatic inheritance)"),
    ("dobbelt-gebyr", "mere end ét gebyr for samme rate og gebyrtype / more than one fee for "
     "the same rate and fee type"),
    ("forfaldsdato-mangler", "gebyret har ingen forfaldsdato og kan ikke opkræves / fee "
     "without a due date cannot be charged"),
    ("debitortype-mangler", "debitortype mangler / debtor type missing"),
    ("debitor-mangler", "debitor mangler / debtor missing"),
    ("n-debitor-uden-nummer", "debitortype N uden NS-debitornummer / debtor type N without "
     "an NS debtor number"),
    ("kontostreng-mangler", "Ø-kontostreng mangler / account string missing"),
    ("debitorident-ugyldig", "debitortype P uden gyldigt CPR-nummer som ident / debtor type "
     "P without a valid CPR number as ident"),
    ("l-uden-laerested", "debitortype L, men eleven har intet lærested (brug P) / debtor "
     "type L but the student has no workplace (use P)"),
    ("ean-mangler", "debitortype E uden gyldigt EAN-nummer / debtor type E without a valid "
     "EAN number"),
    ("n-debitor-ukendt", "NS-debitornummeret findes ikke i Navision Stat / NS debtor number "
     "unknown in Navision Stat"),
    ("debitor-inaktiv", "NS-debitoren er inaktiv på forfaldsdatoen / NS debtor inactive on "
     "the due date"),
    ("elev-uden-gebyr", "eleven mangler gruppens gebyr / student lacks the group's fee"),
    ("gebyrafvigelse", "gebyret afviger fra gruppens (Skal arve J) / fee deviates from the "
     "group's (inherits)"),
    ("difference-mangler", "differencelinje mangler eller har forkert beløb efter ændring af "
     "gruppens gebyr / difference line missing or wrong after the group fee changed"),
    ("difference-uden-arv", "differencelinje hos elev med Skal arve N / difference line for "
     "a student who does not inherit"),
    ("difference-uden-grundlag", "differencelinje uden opkrævet gebyr at regulere / "
     "difference line without a charged fee to adjust"),
    ("bookingdifference-mangler", "beløb ændret efter opkrævning uden ny bookingopkrævning "
     "for differencen / amount changed after charging without a booking charge for the "
     "difference"),
    ("individuelt-i-d438", "individuelt gebyr opkrævet af D438, kun D638 må opkræve det / "
     "individual fee charged by D438, only D638 may charge it"),
    ("kreditnota-ikke-bogfoert", "kreditnotaen er ikke bogført i Navision Stat / credit note "
     "not booked in Navision Stat"),
    ("ikke-bogfoert-i-ns", "opkrævningen er ikke bogført i Navision Stat / charge not booked "
     "in Navision Stat"),
    ("rate-forskellige-forfald", "gebyrerne i samme rate har forskellige forfaldsdatoer / "
     "fees of one rate have different due dates"),
    ("gruppegebyr-uden-debitortype", "gruppens gebyr har ingen debitortype, systemet ved ikke "
     "hvem der skal betale / group fee without a debtor type"),
    ("uforklaret", "forskel som ingen regel forklarer / difference no rule explains"),
    ("aut-arv-uden-skal-arve", "advarsel: Aut. arv. J med Skal arve N, anbefalet er J / "
     "warning: automatic inheritance J with inherits N"),
]
PREC = {c: i for i, (c, _) in enumerate(REASONS)}
TEXT = dict(REASONS)
WARNINGS = {"aut-arv-uden-skal-arve"}
DATA_REASONS = ["forfaldsdato-mangler", "debitortype-mangler", "debitor-mangler",
                "n-debitor-uden-nummer", "kontostreng-mangler", "debitorident-ugyldig",
                "l-uden-laerested", "ean-mangler", "n-debitor-ukendt", "debitor-inaktiv"]
LINE_ONLY = ("HOLD", "KURSIST", "GAEST")
SKOLEHJEM = "SKOLEHJEM"

EXC_HEADER = ("id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right;"
              "rate;difference;gebyrtype;opkr_nr;debitortype;class;other_reasons")
SUM_HEADER = "recon;se;month;key;left;right;difference;explained;unexplained;status"


# --------------------------------------------------------------------------
# The model (DESIGN.md section 2)
# --------------------------------------------------------------------------


class Model:
    def __init__(self, conf, night, lines, fees, students, nsdeb, nsopk):
        self.c, self.night = conf, night
        self.lines, self.fees, self.students = lines, fees, students
        self.nsdeb = None if nsdeb is None else {r["nsnr"]: r for r in nsdeb}
        self.nsopk = nsopk
        self.win_from = month_add(night // 100, -conf["months-back"]) * 100 + 1
        self.win_to = day_add_days(night, conf["lookahead-days"])
        self.ber, self.ikke = conf["berettiget"], conf["ikke-berettiget"]
        self.ind = conf["individuelt"]

    # --- helpers
    def boarding(self, central):
        return central in (self.ber, self.ikke)

    def cls(self, central, gebyrtype):
        return SKOLEHJEM if self.boarding(central) else gebyrtype

    def in_window(self, d):
        return self.win_from <= d <= self.win_to

    def ns_doc(self, opkr, credit):
        """(exists, booked) of the NS document for a charge number."""
        found = booked = False
        for r in self.nsopk or []:
            if r["opkr"] == opkr and r["credit"] == ("J" if credit else "N"):
                found = True
                booked = booked or r["booked"] == "J"
        return found, booked

    def credited(self, L):
        if L["status"] == "KREDITERET":
            return True
        return L["status"] == "OPKRAEVET" and bool(L["opkr"]) and self.nsopk is not None \
            and self.ns_doc(L["opkr"], True)[0]

    def amt(self, L):
        return L["charged"] if L["status"] != "IKKE_OPKRAEVET" else L["amount"]

    def data_reasons(self, L, facts, date):
        """Rules 10-12 on a line not yet charged."""
        r = []
        if not L["due"]:
            r.append("forfaldsdato-mangler")
        t = L["dtype"]
        if not t:
            r.append("debitortype-mangler")
            if not L["ident"] and not L["nsnr"]:
                r.append("debitor-mangler")
        elif t in ("P", "L", "E") and not L["ident"]:
            r.append("debitor-mangler")
        elif t == "N" and not L["nsnr"]:
            r.append("n-debitor-uden-nummer")
        if not L["account"]:
            r.append("kontostreng-mangler")
        if t == "P" and L["ident"] and cpr_parse(L["ident"]) is None:
            r.append("debitorident-ugyldig")
        if t == "L" and facts is not None and not facts["laerested"]:
            r.append("l-uden-laerested")
        if t == "E" and not ean_valid(L.get("ean", "")):
            r.append("ean-mangler")
        if t == "N" and L["nsnr"] and self.nsdeb is not None:
            d = self.nsdeb.get(L["nsnr"])
            if d is None:
                r.append("n-debitor-ukendt")
            elif d["inactive"] and d["inactive"] <= (L["due"] or date):
                r.append("debitor-inaktiv")
        return r

    def chargeable(self, L, facts, date):
        if L["status"] == "IKKE_OPKRAEVET":
            return 0 if self.data_reasons(L, facts, date) else L["amount"]
        return 0 if self.credited(L) else L["charged"]

    def line_reasons(self, L, facts, date, slot_date_from_fee):
        """Reasons that belong to a line whatever its expectation."""
        r = []
        if not L["central"]:
            r.append("uden-central-gebyrtype")
        if L["unit"] == "HOLD" and self.boarding(L["central"]):
            r.append("skolehjemsgebyr-paa-hold")
        if L["status"] == "IKKE_OPKRAEVET":
            r += self.data_reasons(L, facts, date)
        if L["central"] == self.ind and L["status"] != "IKKE_OPKRAEVET" \
                and L["job"] == self.c["job-elevbetalinger"]:
            r.append("individuelt-i-d438")
        if L["status"] != "IKKE_OPKRAEVET" and self.nsopk is not None:
            age = day_number(self.night) - day_number(L["charged_day"] or date)
            if self.credited(L):
                if not self.ns_doc(L["opkr"], True)[1]:
                    r.append("kreditnota-ikke-bogfoert")
            elif age > self.c["ns-booking-days"] and \
                    not (L["opkr"] and self.ns_doc(L["opkr"], False)[1]):
                r.append("ikke-bogfoert-i-ns")
        if L["aut"] == "J" and L["skal"] == "N":
            r.append("aut-arv-uden-skal-arve")
        if slot_date_from_fee and L["due"] and not L["diff"] and L["due"] != date:
            r.append("rate-forskellige-forfald")
        return r

    # --- the night
    def run(self):
        exc, slots_out = [], []
        groups = {}
        for f in self.fees:
            groups.setdefault(f["group"], []).append(f)
        self.gfees = groups
        self.facts = {(s["cpr"], s["group"]): s for s in self.students}
        self.moved_away = {}
        for s in self.students:
            if s["moved_from"] and s["moved_from"] != s["group"]:
                self.moved_away[(s["cpr"], s["moved_from"])] = s

        group_unit = self.group_unit

        for L in self.lines:
            L["diff"] = L["diff"] == "J"
            if not L["unit"]:
                L["unit"] = group_unit(L["group"]) or "FORLOEBSGRUPPE"

        # group-level findings (amount 0, no CPR)
        for g, fl in sorted(groups.items()):
            for f in fl:
                unit = f["unit"] or "FORLOEBSGRUPPE"
                if not f["due"] or not self.in_window(f["due"]):
                    continue
                ref = f"{f['rate']}/{f['gebyrtype']}"
                for code, cond in (("uden-central-gebyrtype", not f["central"]),
                                   ("skolehjemsgebyr-paa-hold",
                                    unit == "HOLD" and self.boarding(f["central"])),
                                   ("gruppegebyr-uden-debitortype", not f["dtype"])):
                    if cond:
                        exc.append(self.group_exc(g, f["due"], code, ref, f))
            byrate = {}
            for f in fl:
                if f["due"]:
                    byrate.setdefault(f["rate"], set()).add(f["due"])
            for r, ds in sorted(byrate.items()):
                if len(ds) > 1 and self.in_window(min(ds)):
                    exc.append(self.group_exc(g, min(ds), "rate-forskellige-forfald", f"{r}",
                                              None))

        # slots: (group, cpr, rate, class, kind)
        slots = {}

        def slot(k):
            return slots.setdefault(k, {"base": [], "diff": []})

        for L in self.lines:
            k = (L["group"], L["cpr"], L["rate"], self.cls(L["central"], L["gebyrtype"]))
            slot(k)["diff" if L["diff"] else "base"].append(L)
        for s in self.students:
            if group_unit(s["group"]) in LINE_ONLY:
                continue
            for f in groups.get(s["group"], []):
                if f["central"] and f["rate"] >= (s["arv"] or 1):
                    slot((s["group"], s["cpr"], f["rate"], self.cls(f["central"], f["gebyrtype"])))

        for k in sorted(slots):
            self.do_slot(k, slots[k], slots_out, exc)

        return self.finish(slots_out, exc)

    def group_unit(self, g):
        for f in self.gfees.get(g, []):
            if f["unit"]:
                return f["unit"]
        return ""

    def fee_for(self, g, rate, klass, central):
        """The group's fee of a rate, class and (for boarding) central type."""
        for f in self.gfees.get(g, []):
            if f["rate"] != rate or not f["central"]:
                continue
            if klass == SKOLEHJEM:
                if f["central"] == central:
                    return f
            elif f["gebyrtype"] == klass and not self.boarding(f["central"]):
                return f
        return None

    def next_rate_due(self, g, rate, klass):
        best = None
        for f in self.gfees.get(g, []):
            if f["rate"] > rate and f["due"] and f["central"] and \
                    self.cls(f["central"], f["gebyrtype"]) == klass:
                if best is None or (f["rate"], f["due"]) < best:
                    best = (f["rate"], f["due"])
        if best is None:
            return 0
        return min(f["due"] for f in self.gfees[g] if f["rate"] == best[0] and f["due"]
                   and f["central"] and self.cls(f["central"], f["gebyrtype"]) == klass)

    def entitlement(self, g, cpr, klass, d, unit):
        """None when the student is to be charged for a fee of this class due d,
        else the exclusion: moved, notplaced, deleted, enddate, noboarding,
        provider, under18 (DESIGN.md 2.3)."""
        if (cpr, g) in self.moved_away:
            return "moved"
        f = self.facts.get((cpr, g))
        if f is None:
            return "notplaced"
        if f["deleted"] == "J":
            return "deleted"
        gend = next((x["gend"] for x in self.gfees.get(g, []) if x["gend"]), 0)
        if (gend and d > gend) or (unit != "BOOKINGGRUPPE" and f["end"] and d > f["end"]):
            return "enddate"
        if klass == SKOLEHJEM:
            if f["boarding"] != "J":
                return "noboarding"
            if f["aarselev"] == "J":
                if f["provider"] == "J":
                    return "provider"
                if age_at_quarter_start(f["birth"], d) < self.c["adult-age"] and not (
                        f["agr_from"] and period_covers(f["agr_from"], f["agr_to"], d)):
                    return "under18"
        return None

    EXCL_REASON = {"moved": "ikke-slettet-efter-flytning", "notplaced": "elev-ikke-placeret",
                   "enddate": "forfald-efter-slutdato", "noboarding": "arv-uden-skolehjem",
                   "provider": "forsoerger-opkraevet", "under18": "under-18-opkraevet"}

    def do_slot(self, k, sl, out, exc):
        g, cpr, rate, klass = k
        B = sorted(sl["base"], key=lambda L: (0 if L["status"] != "IKKE_OPKRAEVET" else 1,
                                              L["opkr"], L["line"]))
        D = sorted(sl["diff"], key=lambda L: L["line"])
        facts = self.facts.get((cpr, g))
        unit = (B or D)[0]["unit"] if (B or D) else (self.group_unit(g) or "FORLOEBSGRUPPE")
        line_only = unit in LINE_ONLY
        T = None
        if facts is not None and klass == SKOLEHJEM:
            T = self.ber if facts["aarselev"] == "J" else self.ikke
        # Gx: the group's fee this student should have for the slot (DESIGN.md 2.3)
        Gx = Gx0 = None
        if not line_only:
            if klass != SKOLEHJEM:
                Gx = self.fee_for(g, rate, klass, None)
            elif T is not None:
                Gx = self.fee_for(g, rate, klass, T)
            else:
                Gx = self.fee_for(g, rate, klass, B[0]["central"] if B else self.ber)
            Gx0 = Gx
            if Gx0 is None and B:
                Gx0 = self.fee_for(g, rate, klass, B[0]["central"])
        # the BASE slot's date (DESIGN.md 2.2)
        from_fee = False
        if Gx0 is not None and Gx0["due"]:
            bdate, from_fee = Gx0["due"], True
        elif any(L["due"] for L in B):
            bdate = next(L["due"] for L in sorted(B, key=lambda L: L["line"]) if L["due"])
        elif facts is not None and facts["start"]:
            bdate = facts["start"]
        else:
            bdate = self.night
        ent = None if line_only else self.entitlement(g, cpr, klass, bdate, unit)
        arv = (facts["arv"] or 1) if facts is not None else 1

        # --- BASE
        C = E = 0
        reasons = []
        live, mode, L0 = [], None, None
        for L in B:
            c_l = self.chargeable(L, facts, bdate)
            C += c_l
            reasons += self.line_reasons(L, facts, bdate, from_fee)
            e_l, why = 0, None
            charged = L["status"] != "IKKE_OPKRAEVET"
            if not L["central"]:
                e_l = c_l
            elif line_only:
                if unit == "HOLD" and self.boarding(L["central"]):
                    pass
                elif self.credited(L):
                    pass
                else:
                    e_l = self.amt(L) if charged else c_l
                    if charged:
                        live.append(L)
            elif self.credited(L):
                pass
            elif ent == "moved":
                mv = self.moved_away[(cpr, g)]
                if not charged or (L["charged_day"] and mv["moved_day"]
                                   and L["charged_day"] > mv["moved_day"]):
                    why = "ikke-slettet-efter-flytning"
                else:
                    e_l = c_l
            elif ent == "notplaced":
                why = "elev-ikke-placeret"
            elif ent == "deleted":
                why = "kreditnota-mangler" if charged else "placering-slettet"
            else:
                moved_in = charged and L["origin"] and L["origin"] != g
                if moved_in and not any(
                        f["gebyrtype"] == L["gebyrtype"] and f["amount"] == L["charged"]
                        and f["account"] == L["account"] for f in self.gfees.get(g, [])):
                    why = "flytning-uden-tilsvarende-gebyr"
                elif ent == "enddate":
                    if L["aut"] == "J":
                        why = "forfald-efter-slutdato"
                    else:
                        e_l = self.amt(L)
                elif ent == "noboarding":
                    why = "arv-uden-skolehjem"
                elif klass == SKOLEHJEM and L["central"] != T:
                    why = "forkert-skolehjemstype"
                elif ent in ("provider", "under18"):
                    why = self.EXCL_REASON[ent]
                elif rate < arv and not moved_in:
                    if L["skal"] == "N":
                        e_l = self.amt(L)
                    else:
                        why = "gebyrafvigelse"
                else:
                    live.append(L)
            if why:
                reasons.append(why)
            E += e_l
        if not line_only:
            for i, L in enumerate(live):
                charged = L["status"] != "IKKE_OPKRAEVET"
                if i > 0:
                    reasons.append("dobbelt-gebyr")
                    continue
                L0 = L
                if L["skal"] == "N":
                    E += self.amt(L)
                    mode = "N"
                elif charged:
                    E += L["charged"]
                    mode = "J-charged"
                else:
                    E += Gx["amount"] if Gx else L["amount"]
                    mode = "J-open"
                    if Gx and L["amount"] != Gx["amount"]:
                        reasons.append("gebyrafvigelse")
            if not live and ent is None and rate >= arv and Gx is not None:
                E += Gx["amount"]
                reasons.append("elev-uden-gebyr")
        else:
            L0 = live[0] if live else None
        if B or C or E:
            self.emit(out, exc, g, cpr, rate, klass, False, bdate, C, E, reasons, B, Gx)

        # --- DIFF (difference lines for the same rate; rule 9 / seed rule 14)
        exp_d = 0
        if line_only:
            if L0 is not None and unit != "HOLD":
                exp_d = L0["amount"] - L0["charged"]
        elif L0 is not None and mode == "J-charged" and Gx is not None:
            exp_d = Gx["amount"] - L0["charged"]
        if not D and not exp_d:
            return
        ddate = next((L["due"] for L in D if L["due"]), 0)
        if not ddate and not line_only:
            ddate = self.next_rate_due(g, rate, klass)
        if not ddate:
            ddate = bdate
        C = sum(self.chargeable(L, facts, ddate) for L in D)
        reasons = []
        for L in D:
            reasons += self.line_reasons(L, facts, ddate, False)
        if unit == "HOLD":
            E = C
        else:
            E = exp_d
            if line_only:
                if C != E:
                    reasons.append("bookingdifference-mangler")
            elif D and mode != "J-charged":
                E = 0
                if ent == "deleted":
                    reasons.append("kreditnota-mangler" if any(
                        L["status"] == "OPKRAEVET" and not self.credited(L) for L in D)
                        else "placering-slettet")
                elif ent is not None:
                    reasons.append(self.EXCL_REASON[ent])
                elif mode == "N":
                    reasons.append("difference-uden-arv")
                else:
                    reasons.append("difference-uden-grundlag")
            elif C != E:
                reasons.append("difference-mangler")
        self.emit(out, exc, g, cpr, rate, klass, True, ddate, C, E, reasons, D or B, Gx)

    def emit(self, out, exc, g, cpr, rate, klass, diff, date, C, E, reasons, lines, Gx):
        if not self.in_window(date):
            return
        out.append((g, date // 100, C, E))
        rs = sorted(set(reasons), key=lambda r: PREC[r])
        amount = C - E
        if not rs and amount == 0:
            return
        if amount != 0 and all(r in WARNINGS for r in rs):
            rs = ["uforklaret"] + rs
        if not rs:
            rs = ["uforklaret"]
        first = lines[0] if lines else None
        opkr = next((L["opkr"] for L in lines if L["opkr"]), "") if lines else ""
        note = f"rate {rate}{', difference' if diff else ''}, forfald {iso(date)}"
        if opkr:
            note += f", opkr.nr. {opkr}"
        exc.append({
            "month": date // 100, "key": g, "cpr": cpr, "amount": amount, "code": rs[0],
            "note": note, "left": C, "right": E, "sides": True,
            "ref": f"{rate}/{klass}" + ("/D" if diff else ""),
            "rate": str(rate), "difference": "J" if diff else "N",
            "gebyrtype": first["gebyrtype"] if first else (Gx["gebyrtype"] if Gx else ""),
            "opkr": opkr,
            "dtype": first["dtype"] if first else (Gx["dtype"] if Gx else ""),
            "other": ",".join(rs[1:]),
        })

    def group_exc(self, g, due, code, ref, f):
        note = (f"rate {ref.split('/')[0]}, gebyrtype {f['gebyrtype']}, forfald {iso(due)}"
                if f else f"rate {ref}, forfald {iso(due)}")
        return {"month": due // 100, "key": g, "cpr": "", "amount": 0, "code": code,
                "note": note, "left": 0, "right": 0, "sides": False, "ref": ref,
                "rate": ref.split("/")[0], "difference": "N",
                "gebyrtype": f["gebyrtype"] if f else "", "opkr": "",
                "dtype": f["dtype"] if f else "", "other": ""}

    def finish(self, slots_out, exc):
        rows = {}
        for g, month, C, E in slots_out:
            r = rows.setdefault((month, g), [0, 0])
            r[0] += C
            r[1] += E
        for e in exc:
            rows.setdefault((e["month"], e["key"]), [0, 0])
        summary = []
        for (month, g), (left, right) in sorted(rows.items(),
                                                key=lambda kv: (kv[0][0], kv[0][1].encode())):
            mine = [e for e in exc if e["month"] == month and e["key"] == g]
            explained = sum(e["amount"] for e in mine if e["code"] in WARNINGS)
            diff = left - right
            if diff - explained != 0 or any(e["code"] not in WARNINGS for e in mine):
                status = "BREAK"
            elif mine or diff != 0:
                status = "EXPLAINED"
            else:
                status = "OK"
            summary.append((month, g, left, right, diff, explained, diff - explained, status))
        for e in exc:
            s = f"{RECON}|{SE}|{e['month']}|{e['key']}|{e['cpr']}|{e['code']}"
            if e["ref"]:
                s += "|" + e["ref"]
            e["id"] = hashlib.sha256(s.encode()).hexdigest()[:16]
        exc.sort(key=lambda e: (e["month"], e["key"].encode(), e["cpr"], e["code"],
                                e["ref"].encode()))
        return summary, exc


def csv_field(s):
    s = str(s)
    if any(ch in s for ch in ';"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def render(summary, exc, night):
    bom = "\ufeff"
    st = [bom + SUM_HEADER]
    for month, g, left, right, diff, expl, unexpl, status in summary:
        st.append(";".join(csv_field(x) for x in (
            RECON, SE, month_iso(month), g, plain(left), plain(right), plain(diff),
            plain(expl), plain(unexpl), status)))
    et = [bom + EXC_HEADER]
    for e in exc:
        reason = f"{e['code']}: {TEXT[e['code']]} ({e['note']})"
        et.append(";".join(csv_field(x) for x in (
            e["id"], RECON, SE, month_iso(e["month"]), e["key"], e["cpr"], plain(e["amount"]),
            reason, iso(night), 0,
            plain(e["left"]) if e["sides"] else "", plain(e["right"]) if e["sides"] else "",
            e["rate"], e["difference"], e["gebyrtype"], e["opkr"], e["dtype"],
            "warning" if e["code"] in WARNINGS else "break", e["other"])))
    return "\n".join(st) + "\n", "\n".join(et) + "\n"


def run_model(drops, night, conf_path):
    conf = load_conf(conf_path)
    rejected = []
    data = {k: load_kind(drops, k, night, rejected) for k in SCHEMAS}
    for r in rejected:
        print("rejected: " + r, file=sys.stderr)
    if data["lines"] is None or data["fees"] is None or data["students"] is None:
        missing = [SCHEMAS[k][0] for k in ("lines", "fees", "students") if data[k] is None]
        raise SystemExit("missing EASY-A export: " + ", ".join(missing))
    m = Model(conf, night, data["lines"], data["fees"], data["students"], data["nsdeb"],
              data["nsopk"])
    return m.run()


def default_conf():
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conf",
                        "opkraevning.conf")


def cmd_model(argv):
    drops, date, out = argv[0], argv[1], argv[2]
    conf = argv[3] if len(argv) > 3 else default_conf()
    night = parse_day(date)
    summary, exc = run_model(drops, night, conf)
    s, e = render(summary, exc, night)
    for sub, text in (("summary", s), ("exceptions", e)):
        d = os.path.join(out, date, sub)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, RECON + ".csv"), "w", encoding="utf-8", newline="") as f:
            f.write(text)


def breaks(exc):
    return sorted(f"{e['code']};{e['key']};{plain(e['amount'])}".encode() for e in exc)


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------

LINE_COLS = ["Forloebsgruppe", "Aktivitet", "CPR", "Fornavn", "Efternavn", "Gebyrtype",
             "Central_gebyrtype", "Rate", "Difference", "Beloeb", "Opkraevet_beloeb",
             "Forfaldsdato", "Oe_kontostreng", "Debitortype", "EASYA_ident", "NS_debitornr",
             "Skal_arve", "Aut_arv", "Opkr_nr", "Status"]
LINE_OPT = ["Enhedstype", "Opkr_job", "Opkraevet_dato", "EAN_nr", "Oprindelig_gruppe"]
FEE_COLS = ["Forloebsgruppe", "Gruppe_start", "Gruppe_slut", "Gebyrtype", "Central_gebyrtype",
            "Rate", "Beloeb", "Forfaldsdato", "Oe_kontostreng", "Debitortype"]
STUD_COLS = ["CPR", "Forloebsgruppe", "Placering_start", "Placering_slut", "Skolehjem",
             "Skolehjemsaarselev", "Forsoerger", "Uddannelsesaftale_fra",
             "Uddannelsesaftale_til", "Laerested_id", "Arv_fra_rate", "Placering_slettet"]
NSDEB_COLS = ["NS_debitornr", "Navn", "Inaktiv_pr"]
NSOPK_COLS = ["Opkr_nr", "Bilagsnr", "Bogfoert", "Beloeb", "Kreditnota"]


def write(path, header, rows, crlf=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nl = "\r\n" if crlf else "\n"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(";".join(header) + nl)
        for r in rows:
            f.write(";".join(csv_field(x) for x in r) + nl)
    open(path + ".done", "w").close()


# --------------------------------------------------------------------------
# The brief's worked example (seeds-000-001-003.md 3.7)
# --------------------------------------------------------------------------


def cmd_fixture(argv):
    drops = argv[0]
    g, akt, acc = "GF2-SMED-25F", "SMED-GF2", "211010.9440"
    d1, d2 = "2025-02-01", "2025-04-01"

    def line(cpr, fn, en, rate, diff, amount, charged, due, account, dtype, ident, skal, aut,
             opkr, status):
        return [g, akt, cpr, fn, en, "SKHBER-LOK", "Skhber", str(rate), diff, amount, charged,
                due, account, dtype, ident, "", skal, aut, opkr, status]

    lines = [
        line("650305-4011", "Adam", "Prøve", 1, "N", "1980,00", "1980,00", d1, acc, "P",
             "650305-4011", "J", "J", "1001", "OPKRAEVET"),
        line("650305-4011", "Adam", "Prøve", 1, "J", "99,00", "0,00", d2, acc, "P",
             "650305-4011", "J", "J", "", "IKKE_OPKRAEVET"),
        line("650305-4011", "Adam", "Prøve", 2, "N", "2475,00", "0,00", d2, acc, "P",
             "650305-4011", "J", "J", "", "IKKE_OPKRAEVET"),
        line("800507-4022", "Bea", "Bøje", 1, "N", "1980,00", "1980,00", d1, acc, "P",
             "800507-4022", "J", "J", "1002", "OPKRAEVET"),
        line("700207-4033", "Carl", "Carstensen", 1, "N", "1980,00", "1980,00", d1, acc, "P",
             "700207-4033", "J", "J", "1003", "OPKRAEVET"),
        line("700207-4033", "Carl", "Carstensen", 2, "N", "2475,00", "0,00", d2, acc, "P",
             "700207-4033", "J", "J", "", "IKKE_OPKRAEVET"),
        line("720399-1044", "Dina", "Dahl", 1, "N", "1980,00", "1980,00", d1, acc, "P",
             "720399-1044", "J", "J", "1004", "OPKRAEVET"),
        line("690106-4055", "Emil", "Eskildsen", 1, "N", "1500,00", "1500,00", d1, acc, "P",
             "690106-4055", "N", "N", "1005", "OPKRAEVET"),
        line("690106-4055", "Emil", "Eskildsen", 2, "N", "2475,00", "0,00", d2, acc, "P",
             "690106-4055", "J", "J", "", "IKKE_OPKRAEVET"),
        line("620306-4066", "Frida", "Påfund", 1, "N", "2079,00", "0,00", d1, acc, "N",
             "", "J", "J", "", "IKKE_OPKRAEVET"),
        line("620306-4066", "Frida", "Påfund", 2, "N", "2475,00", "0,00", d2, acc, "N",
             "", "J", "J", "", "IKKE_OPKRAEVET"),
        line("710904-4077", "Gustav", "Gæst", 1, "N", "2079,00", "0,00", d1, "", "P",
             "710904-4077", "J", "J", "", "IKKE_OPKRAEVET"),
        line("710904-4077", "Gustav", "Gæst", 2, "N", "2475,00", "0,00", d2, "", "P",
             "710904-4077", "J", "J", "", "IKKE_OPKRAEVET"),
    ]
    fees = [
        [g, "2025-01-06", "2025-06-20", "SKHBER-LOK", "Skhber", "1", "2079,00", d1, acc, "P"],
        [g, "2025-01-06", "2025-06-20", "SKHBER-LOK", "Skhber", "2", "2475,00", d2, acc, "P"],
    ]

    def stud(cpr, provider="N", afra="", atil=""):
        return [cpr, g, "2025-01-06", "2025-06-20", "J", "J", provider, afra, atil, "", "1", "N"]

    students = [
        stud("650305-4011"), stud("800507-4022"),
        stud("700207-4033", afra="2025-01-15", atil="2028-12-31"),
        stud("720399-1044", provider="J"), stud("690106-4055"), stud("620306-4066"),
        stud("710904-4077"), stud("630803-4088"),
    ]
    nsdeb = [["2", "Hannibal Olsen", ""], ["46", "AF - Arbejdsformidlingen Næstved", ""],
             ["7", "ISF1 spe testd", ""]]
    nsopk = [["1001", "NS-50001", "J", "1980,00", "N"], ["1002", "NS-50002", "J", "1980,00", "N"],
             ["1003", "NS-50003", "J", "1980,00", "N"], ["1004", "NS-50004", "J", "1980,00", "N"],
             ["1005", "NS-50005", "J", "1500,00", "N"]]
    e = os.path.join(drops, "easya")
    write(os.path.join(e, "EASYA_Opkraevningslinjer_20250315.csv"), LINE_COLS, lines)
    write(os.path.join(e, "EASYA_Gruppegebyrer_20250315.csv"), FEE_COLS, fees)
    write(os.path.join(e, "EASYA_Elever_20250315.csv"), STUD_COLS, students)
    write(os.path.join(e, "NS_Debitorer_20250315.csv"), NSDEB_COLS, nsdeb)
    write(os.path.join(e, "NS_Opkraevninger_20250315.csv"), NSOPK_COLS, nsopk)


# --------------------------------------------------------------------------
# The generator (DESIGN.md section 7)
# --------------------------------------------------------------------------

NIGHT = 20250315
ACC = "211010.9440"
ACC_MAT = "211010.9450"
RATE_DUE = {1: 20250101, 2: 20250201, 3: 20250401, 4: 20250501}   # 2, 3 in the window
RATE_WEEKS = {1: 4, 2: 4, 3: 5, 4: 4}
GOOD_EAN = ean_make("020000000042")
BAD_EAN = GOOD_EAN[:-1] + str((int(GOOD_EAN[-1]) + 1) % 10)   # wrong check digit


def sub_cpr(rnd, birth, used):
    """A substitute CPR (day + 60) for a birth date, 7th digit by century."""
    y, m, d = ymd(birth)
    while True:
        if 2000 <= y <= 2036:
            d7 = rnd.choice([4, 9])
        elif 1937 <= y <= 1999:
            d7 = rnd.randint(0, 3)
        else:
            raise ValueError(y)
        s = f"{d + 60:02d}{m:02d}{y % 100:02d}{d7}{rnd.randint(0, 999):03d}"
        if s not in used:
            used.add(s)
            return s[:6] + "-" + s[6:]


class Gen:
    def __init__(self, seed, ngroups, nstud):
        self.rnd = random.Random(seed)
        self.ngroups, self.nstud = max(2, ngroups), nstud
        self.lines, self.fees, self.students = [], [], []
        self.nsdeb, self.nsopk, self.expect = [], [], []
        self.used, self.opkr = set(), 1000
        self.ns_good = ["2", "7", "12", "31"]
        self.nsdeb = [["2", "Hannibal Olsen", ""], ["7", "ISF1 spe testd", ""],
                      ["12", "Jobcenter Holstebro", ""], ["31", "Staten i jobcenteret", ""],
                      ["46", "AF - Arbejdsformidlingen Næstved", "2025-03-01"],
                      ["47", "Kommune med ophør", "2025-04-02"]]

    def exp(self, code, key, amount):
        self.expect.append((code, key, amount))

    def next_opkr(self):
        self.opkr += 1
        return str(self.opkr)

    def birth_adult(self):
        return day_from_number(day_number(19950101) + self.rnd.randint(0, 4200))  # to ~2006-07

    # --- groups
    def make_group(self, i, unit="FORLOEBSGRUPPE"):
        rnd = self.rnd
        g = f"GF{rnd.randint(1, 2)}-{rnd.choice(['SMED', 'TOEMRER', 'MURER', 'ELEKTRIKER', 'KOK'])}-25F-{i:03d}"
        gi = {"id": g, "unit": unit, "start": 20250106,
              "end": 20250620 if rnd.random() < 0.8 else 20250530,
              "ber": {}, "ikke": {}, "mat": {}, "old": {}}
        for r in (1, 2, 3, 4):
            w = RATE_WEEKS[r]
            gi["ber"][r] = w * 49500 + rnd.choice([0, 0, 0, 10000, -5000])
            gi["ikke"][r] = w * 125000
        gi["old"] = dict(gi["ber"])
        if rnd.random() < 0.75:          # rate 2 of the entitled fee changed after charging
            gi["ber"][2] = gi["old"][2] + rnd.choice([9900, 4950, 12345, -2000])
        gi["mat"][3] = rnd.choice([35000, 42500, 50000])
        gi["matdue"] = RATE_DUE[3]
        return gi

    def fee_rows(self, gi):
        rows = []
        for r in (1, 2, 3, 4):
            for t, c, amt in (("SKHBER-LOK", "Skhber", gi["ber"][r]),
                              ("SKHEJB-LOK", "Skhejb", gi["ikke"][r])):
                rows.append([gi["id"], iso(gi["start"]), iso(gi["end"]), t, c, str(r),
                             plain(amt), iso(RATE_DUE[r]), ACC, "P", gi["unit"]])
        rows.append([gi["id"], iso(gi["start"]), iso(gi["end"]), "MAT-LOK", "Diverse", "3",
                     plain(gi["mat"][3]), iso(gi["matdue"]), ACC_MAT, "P", gi["unit"]])
        return rows

    # --- students
    def facts(self, gi, cpr, **kw):
        f = {"cpr": cpr, "group": gi["id"], "start": gi["start"], "end": gi["end"],
             "boarding": "J", "aarselev": "J", "provider": "N", "agr_from": 0, "agr_to": 0,
             "laerested": "", "arv": 1, "deleted": "N", "moved_from": "", "moved_day": 0}
        f.update(kw)
        return f

    def add_facts(self, f):
        self.students.append([f["cpr"], f["group"], iso(f["start"]), iso(f["end"]),
                              f["boarding"], f["aarselev"], f["provider"], iso(f["agr_from"]),
                              iso(f["agr_to"]), f["laerested"], str(f["arv"]), f["deleted"],
                              f["moved_from"], iso(f["moved_day"])])

    def line(self, gi, cpr, gebyrtype, central, rate, amount, due, *, diff="N", status=None,
             charged=0, account=ACC, dtype="P", ident=None, nsnr="", skal="J", aut="J",
             opkr=None, unit=None, job="", charged_day=0, ean="", origin="", ns=True,
             ns_booked="J", credit_booked=None, group=None):
        """One fee line; a charged line gets an opkr.nr., a charge date and its NS rows."""
        if status is None:
            status = "OPKRAEVET" if due and due <= NIGHT and diff == "N" else "IKKE_OPKRAEVET"
        if status != "IKKE_OPKRAEVET":
            if opkr is None:
                opkr = self.next_opkr()
            if not charged:
                charged = amount
            if not charged_day:
                charged_day = day_add_days(due, -14) if due else 20250101
            if not job:
                job = "D438"
            if ns:
                self.nsopk.append([opkr, f"NS-{opkr}", ns_booked, plain(charged), "N"])
            if status == "KREDITERET" and credit_booked is not None:
                self.nsopk.append([opkr, f"KN-{opkr}", credit_booked, plain(-charged), "J"])
        if ident is None:
            ident = cpr if dtype == "P" else ""
        self.lines.append([group or gi["id"], "AKT-" + (group or gi["id"])[:8], cpr, "Elev",
                           "Efternavn", gebyrtype, central, str(rate), diff, plain(amount),
                           plain(charged if status != "IKKE_OPKRAEVET" else 0), iso(due),
                           account, dtype, ident, nsnr, skal, aut, opkr or "", status,
                           unit or gi["unit"], job, iso(charged_day), ean, origin])

    def clean_lines(self, gi, cpr, f, skip=(), from_rate=None):
        """The lines a correctly charged student has (rates >= Arv_fra_rate)."""
        T = "ber" if f["aarselev"] == "J" else "ikke"
        ent_board = f["boarding"] == "J" and not (T == "ber" and f["provider"] == "J")
        for r in (1, 2, 3, 4):
            if r < (from_rate or f["arv"]):
                continue
            due = RATE_DUE[r]
            if (gi["end"] and due > gi["end"]) or (f["end"] and due > f["end"]
                                                    and gi["unit"] != "BOOKINGGRUPPE"):
                continue
            under = (T == "ber" and age_at_quarter_start(f["birth"], due) < 18
                     and not (f["agr_from"] and period_covers(f["agr_from"], f["agr_to"], due)))
            if ent_board and not under and (r, "board") not in skip:
                t, c = ("SKHBER-LOK", "Skhber") if T == "ber" else ("SKHEJB-LOK", "Skhejb")
                now, old = gi[T][r], (gi["old"][r] if T == "ber" else gi[T][r])
                if due <= NIGHT:
                    self.line(gi, cpr, t, c, r, old, due, **self.debtor(f))
                    if now != old and (r, "diff") not in skip:
                        self.line(gi, cpr, t, c, r, now - old, RATE_DUE[3], diff="J",
                                  **self.debtor(f))
                else:
                    self.line(gi, cpr, t, c, r, now, due, **self.debtor(f))
            if r in gi["mat"] and (r, "mat") not in skip:
                self.line(gi, cpr, "MAT-LOK", "Diverse", r, gi["mat"][r], gi["matdue"],
                          account=ACC_MAT, **self.debtor(f))

    def debtor(self, f):
        """A valid debtor for a student's line: mostly P, some N, L and E."""
        x = self.rnd.random()
        if x < 0.1:
            return {"dtype": "N", "ident": "", "nsnr": self.rnd.choice(self.ns_good)}
        if x < 0.15 and f["laerested"]:
            return {"dtype": "L", "ident": f["laerested"]}
        if x < 0.2 and f["laerested"]:
            return {"dtype": "E", "ident": f["laerested"],
                    "ean": ean_make("02" + f"{self.rnd.randint(0, 10**10 - 1):010d}")}
        return {}

    def student(self, gi, birth=None, **kw):
        birth = birth or self.birth_adult()
        cpr = sub_cpr(self.rnd, birth, self.used)
        if "laerested" not in kw and self.rnd.random() < 0.3:
            kw["laerested"] = f"LS{self.rnd.randint(100, 999)}"
        f = self.facts(gi, cpr, **kw)
        f["birth"] = birth
        return cpr, f

    def clean_student(self, gi):
        rnd = self.rnd
        kw = {}
        x = rnd.random()
        if x < 0.1:
            kw["boarding"] = "N"
        elif x < 0.25:
            kw["aarselev"] = "N"
        elif x < 0.3:
            kw["provider"] = "J"
        elif x < 0.35:
            kw["arv"] = 2
        birth = None
        y = rnd.random()
        if y < 0.1:      # under 18 all spring, no agreement: no boarding fee
            birth = 20070000 + rnd.choice([501, 615, 1130])
        elif y < 0.2:    # under 18 with an agreement covering the due dates
            birth = 20070000 + rnd.choice([501, 615, 1130])
            kw["agr_from"], kw["agr_to"] = 20250115, rnd.choice([0, 20281231])
        cpr, f = self.student(gi, birth, **kw)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f)

    # --- the injected cases, each on its own student or group, with its exact exception
    def inject(self, gi, gi2, case):
        g, rnd = gi["id"], self.rnd
        G2o, G2, G3, H3, M3 = gi["old"][2], gi["ber"][2], gi["ber"][3], gi["ikke"][3], gi["mat"][3]
        if case == "uden-central-gebyrtype":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f)
            self.line(gi, cpr, "EKSTRA-LOK", "", 3, 12500, RATE_DUE[3])
            self.exp(case, g, 0)
        elif case == "uden-central-gebyrtype/gruppe":
            self.fees.append([g, iso(gi["start"]), iso(gi["end"]), "GAMMEL-LOK", "", "3",
                              "100,00", iso(RATE_DUE[3]), ACC, "P", gi["unit"]])
            self.exp("uden-central-gebyrtype", g, 0)
        elif case == "individuelt-i-d438":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f)
            self.line(gi, cpr, "IND-LOK", "Individuelt gebyr", 2, 50000, RATE_DUE[2],
                      skal="N", aut="N", job="D438")
            self.exp(case, g, 0)
        elif case == "arv-uden-skolehjem":
            cpr, f = self.student(gi, boarding="N")
            self.add_facts(f)
            self.clean_lines(gi, cpr, f)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, G2, RATE_DUE[2])
            self.exp(case, g, G2)
        elif case == "forsoerger-opkraevet":
            cpr, f = self.student(gi, provider="J")
            self.add_facts(f)
            self.clean_lines(gi, cpr, f)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, G2o, RATE_DUE[2])
            self.exp(case, g, G2o)
        elif case == "under-18-opkraevet":
            # 17 on 2025-01-01 and on 2025-04-01
            cpr, f = self.student(gi, birth=20070615)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, G2o, RATE_DUE[2])
            self.exp(case, g, G2o)
        elif case == "under-18-opkraevet/dagen-efter":
            # turns 18 on 2025-04-02, the day after the quarter's first day: still 17 then
            cpr, f = self.student(gi, birth=20070402)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, G3, RATE_DUE[3])
            self.exp("under-18-opkraevet", g, G3)
        elif case == "forkert-skolehjemstype":
            cpr, f = self.student(gi, aarselev="N")
            self.add_facts(f)
            self.clean_lines(gi, cpr, f, skip={(3, "board")})
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, G3, RATE_DUE[3])
            self.exp(case, g, G3 - H3)
        elif case == "elev-uden-gebyr":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f, skip={(3, "board")})
            self.exp(case, g, -G3)
        elif case == "gebyrafvigelse":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f, skip={(3, "board")})
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, G3 + 10000, RATE_DUE[3])
            self.exp(case, g, 10000)
        elif case == "difference-mangler":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f, skip={(2, "diff")})
            if G2 != G2o:
                self.exp(case, g, -(G2 - G2o))
            else:        # rate 2 unchanged here: a difference line of the wrong amount
                self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, 5000, RATE_DUE[3], diff="J")
                self.exp(case, g, 5000)
        elif case == "difference-uden-arv":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f, skip={(2, "board"), (2, "diff")})
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, G2o - 1000, RATE_DUE[2], skal="N",
                      aut="N")
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, 7700, RATE_DUE[3], diff="J")
            self.exp(case, g, 7700)
        elif case == "difference-uden-grundlag":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, 5000, RATE_DUE[3], diff="J")
            self.exp(case, g, 5000)
        elif case in ("forfaldsdato-mangler", "debitortype-mangler", "debitor-mangler",
                      "kontostreng-mangler", "debitorident-ugyldig", "l-uden-laerested",
                      "ean-mangler", "n-debitor-uden-nummer", "n-debitor-ukendt",
                      "debitor-inaktiv"):
            kw = {"laerested": "" if case == "l-uden-laerested" else "LS0042"}
            cpr, f = self.student(gi, **kw)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f, skip={(3, "board")})
            lk = {"forfaldsdato-mangler": {},
                  "debitortype-mangler": {"dtype": "", "ident": cpr},
                  "debitor-mangler": {"dtype": "P", "ident": ""},
                  "kontostreng-mangler": {"account": ""},
                  "debitorident-ugyldig": {"dtype": "P", "ident": "1234567890"},
                  "l-uden-laerested": {"dtype": "L", "ident": "LS0042"},
                  "ean-mangler": {"dtype": "E", "ident": "LS0042", "ean": BAD_EAN},
                  "n-debitor-uden-nummer": {"dtype": "N", "ident": "", "nsnr": ""},
                  "n-debitor-ukendt": {"dtype": "N", "ident": "", "nsnr": "99999"},
                  "debitor-inaktiv": {"dtype": "N", "ident": "", "nsnr": "46"}}[case]
            due = 0 if case == "forfaldsdato-mangler" else RATE_DUE[3]
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, G3, due, status="IKKE_OPKRAEVET", **lk)
            self.exp(case, g, -G3)
        elif case == "kreditnota-mangler":
            cpr, f = self.student(gi, deleted="J")
            self.add_facts(f)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, G2o, RATE_DUE[2])
            self.exp(case, g, G2o)
        elif case == "kreditnota-ikke-bogfoert":
            cpr, f = self.student(gi, deleted="J")
            self.add_facts(f)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, G2o, RATE_DUE[2], status="KREDITERET",
                      credit_booked="N")
            self.exp(case, g, 0)
        elif case == "placering-slettet":
            cpr, f = self.student(gi, deleted="J")
            self.add_facts(f)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, G2o, RATE_DUE[2], status="KREDITERET",
                      credit_booked="J")
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, G3, RATE_DUE[3])
            self.exp(case, g, G3)
        elif case == "ikke-bogfoert-i-ns":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f, skip={(2, "board"), (2, "diff")})
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, G2, RATE_DUE[2], ns=False,
                      charged_day=20250120)
            self.exp(case, g, 0)
        elif case == "ikke-bogfoert-i-ns/kladde":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f, skip={(2, "board"), (2, "diff")})
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, G2, RATE_DUE[2], ns_booked="N",
                      charged_day=20250120)
            self.exp("ikke-bogfoert-i-ns", g, 0)
        elif case == "forfald-efter-slutdato":
            cpr, f = self.student(gi, end=20250320)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, G3, RATE_DUE[3])
            self.exp(case, g, G3)
        elif case == "aut-arv-uden-skal-arve":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f, skip={(3, "board")})
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, G3 - 3300, RATE_DUE[3], skal="N",
                      aut="J")
            self.exp(case, g, 0)
        elif case == "dobbelt-gebyr":
            cpr, f = self.student(gi)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, G3, RATE_DUE[3])
            self.exp(case, g, G3)
        elif case == "elev-ikke-placeret":
            cpr = sub_cpr(rnd, self.birth_adult(), self.used)
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, G3, RATE_DUE[3])
            self.exp(case, g, G3)
        elif case == "rate-forskellige-forfald":
            gi["matdue"] = day_add_days(RATE_DUE[3], 1)
            self.exp(case, g, 0)
        elif case in ("flytning-uden-tilsvarende-gebyr", "ikke-slettet-efter-flytning"):
            # moved from gi2 to gi on 2025-03-01, inherits on gi from rate 3
            cpr, f = self.student(gi, arv=3, moved_from=gi2["id"], moved_day=20250301)
            self.add_facts(f)
            self.clean_lines(gi, cpr, f)
            # rate 1 and 2 charged on gi2 before the move
            old1 = gi2["ber"][1]
            self.line(gi2, cpr, "SKHBER-LOK", "Skhber", 1, old1, RATE_DUE[1])
            amounts_here = {fr[6] for fr in self.fee_rows(gi) if fr[3] == "SKHBER-LOK"}
            if case == "flytning-uden-tilsvarende-gebyr":
                moved = gi2["old"][2]
                while plain(moved) in amounts_here:
                    moved += 100
                self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, moved, RATE_DUE[2],
                          origin=gi2["id"])
                self.exp(case, g, moved)
            else:
                equal = gi["ber"][2]
                self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, equal, RATE_DUE[2],
                          origin=gi2["id"])
                self.line(gi2, cpr, "SKHBER-LOK", "Skhber", 3, gi2["ber"][3], RATE_DUE[3])
                self.exp(case, gi2["id"], gi2["ber"][3])
        else:
            raise ValueError(case)

    def traps(self, gi):
        """Cases that must NOT be flagged (DESIGN.md 2.6 and the hard date cases)."""
        # turns 18 on the first day of the quarter of rate 3: charged from 2025-04-01
        cpr, f = self.student(gi, birth=20070401)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f)
        # turned 18 on the last day of the quarter before: 17 on 2025-01-01, 18 on 04-01
        cpr, f = self.student(gi, birth=20070331)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f)
        # born 29 February 2008 (substitute day 89): 16, no boarding fee, no break
        cpr, f = self.student(gi, birth=20080229)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f)
        # born 29 February 2004: 20 on both quarter starts
        cpr, f = self.student(gi, birth=20040229)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f)
        # under 18, agreement starting on the due date of rate 2 exactly
        cpr, f = self.student(gi, birth=20070615, agr_from=20250201, agr_to=20250201)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f)
        # allowed 1: charged after the departure date (left 2025-02-15, charged 02-20)
        cpr, f = self.student(gi, end=20250215)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f, skip={(2, "board"), (2, "diff")})
        self.line(gi, cpr, "SKHBER-LOK", "Skhber", 2, gi["ber"][2], RATE_DUE[2],
                  charged_day=20250220)
        # N debtor inactive only from the day after the due date
        cpr, f = self.student(gi)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f, skip={(3, "board")})
        self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, gi["ber"][3], RATE_DUE[3], dtype="N",
                  ident="", nsnr="47")
        # charged 5 days ago, not yet booked in NS: within ns-booking-days
        cpr, f = self.student(gi)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f, skip={(3, "board")})
        self.line(gi, cpr, "SKHBER-LOK", "Skhber", 3, gi["ber"][3], RATE_DUE[3],
                  status="OPKRAEVET", charged_day=20250310, ns=False)
        # a break outside the window: rate 4 (due 2025-05-01) without account string
        cpr, f = self.student(gi)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f, skip={(4, "board")})
        if RATE_DUE[4] <= gi["end"]:
            self.line(gi, cpr, "SKHBER-LOK", "Skhber", 4, gi["ber"][4], RATE_DUE[4], account="")

    def booking_group(self, i):
        """Allowed 2: an external booking group; due dates outside the booking period."""
        gi = self.make_group(100 + i, unit="BOOKINGGRUPPE")
        gi["id"] = f"BOOK-UDLAAN-{i:03d}"
        self.fees += [r for r in self.fee_rows(gi)]
        cpr, f = self.student(gi, start=20250210, end=20250305)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f)
        cpr, f = self.student(gi)
        self.add_facts(f)
        self.clean_lines(gi, cpr, f)

    def hold_cases(self):
        h = "HOLD-SVEJS-2025-11"
        self.fees.append([h, "2025-02-03", "2025-03-28", "SKHBER-LOK", "Skhber", "1",
                          "990,00", "2025-03-01", ACC, "P", "HOLD"])
        self.fees.append([h, "2025-02-03", "2025-03-28", "HOLD-LOK", "Diverse", "1", "250,00",
                          "2025-03-01", ACC, "", "HOLD"])
        cpr = sub_cpr(self.rnd, self.birth_adult(), self.used)
        hi = {"id": h, "unit": "HOLD"}
        self.line(hi, cpr, "SKHBER-LOK", "Skhber", 1, 99000, 20250301)
        self.line(hi, cpr, "HOLD-LOK", "Diverse", 1, 25000, 20250301)
        self.exp("skolehjemsgebyr-paa-hold", h, 0)
        self.exp("skolehjemsgebyr-paa-hold", h, 99000)
        self.exp("gruppegebyr-uden-debitortype", h, 0)

    def guest_cases(self):
        gi = {"id": "GAEST-2025-0042", "unit": "GAEST"}
        cpr = sub_cpr(self.rnd, day_add_days(19800101, self.rnd.randint(0, 1000)), self.used)
        self.line(gi, cpr, "GAEST-LOK", "Gaestegebyr", 1, 100000, 20250215,
                  charged_day=20250210)
        # the amount changed to 1.200,00 after the charge: no new booking charge
        self.lines[-1][9] = plain(120000)
        self.exp("bookingdifference-mangler", gi["id"], -20000)
        gi2 = {"id": "GAEST-2025-0043", "unit": "GAEST"}
        cpr = sub_cpr(self.rnd, day_add_days(19800101, self.rnd.randint(0, 1000)), self.used)
        self.line(gi2, cpr, "GAEST-LOK", "Gaestegebyr", 1, 80000, 20250215,
                  charged_day=20250210)
        self.lines[-1][9] = plain(100000)
        self.line(gi2, cpr, "GAEST-LOK", "Gaestegebyr", 1, 20000, 20250320, diff="J")

    CASES = ["uden-central-gebyrtype", "uden-central-gebyrtype/gruppe", "individuelt-i-d438",
             "arv-uden-skolehjem", "forsoerger-opkraevet", "under-18-opkraevet",
             "under-18-opkraevet/dagen-efter", "forkert-skolehjemstype", "elev-uden-gebyr",
             "gebyrafvigelse", "difference-mangler", "difference-uden-arv",
             "difference-uden-grundlag", "forfaldsdato-mangler", "debitortype-mangler",
             "debitor-mangler", "kontostreng-mangler", "debitorident-ugyldig",
             "l-uden-laerested", "ean-mangler", "n-debitor-uden-nummer", "n-debitor-ukendt",
             "debitor-inaktiv", "kreditnota-mangler", "kreditnota-ikke-bogfoert",
             "placering-slettet", "ikke-bogfoert-i-ns", "ikke-bogfoert-i-ns/kladde",
             "forfald-efter-slutdato", "aut-arv-uden-skal-arve", "dobbelt-gebyr",
             "elev-ikke-placeret", "rate-forskellige-forfald",
             "flytning-uden-tilsvarende-gebyr", "ikke-slettet-efter-flytning"]

    def build(self):
        groups = [self.make_group(i) for i in range(self.ngroups)]
        cases = list(self.CASES)
        # student-level cases repeat once per 4 groups, so a bigger night has more
        # breaks; the two group-level ones stay once (they are per group and rate)
        once = {"rate-forskellige-forfald", "uden-central-gebyrtype/gruppe"}
        cases += [c for c in cases if c not in once] * (max(1, self.ngroups // 4) - 1)
        self.rnd.shuffle(cases)
        # one rate-forskellige-forfald per group at most (it moves MAT-LOK's due date)
        per_group = {i: [] for i in range(len(groups))}
        for n, case in enumerate(cases):
            per_group[n % len(groups)].append(case)
        for i, gi in enumerate(groups):
            if "rate-forskellige-forfald" in per_group[i]:
                self.inject(gi, None, "rate-forskellige-forfald")
        for i, gi in enumerate(groups):
            self.fees += self.fee_rows(gi)
            for _ in range(self.nstud):
                self.clean_student(gi)
            self.traps(gi)
            for case in per_group[i]:
                if case != "rate-forskellige-forfald":
                    self.inject(gi, groups[(i + 1) % len(groups)], case)
        self.booking_group(0)
        self.hold_cases()
        self.guest_cases()

    def write(self, drops, expect):
        e = os.path.join(drops, "easya")
        d = "20250315"
        self.rnd.shuffle(self.lines)
        write(os.path.join(e, f"EASYA_Opkraevningslinjer_{d}.csv"), LINE_COLS + LINE_OPT,
              self.lines, crlf=True)
        write(os.path.join(e, f"EASYA_Gruppegebyrer_{d}.csv"), FEE_COLS + ["Enhedstype"],
              self.fees)
        write(os.path.join(e, f"EASYA_Elever_{d}.csv"), STUD_COLS + ["Flyttet_fra", "Flyttedato"],
              self.students)
        write(os.path.join(e, f"NS_Debitorer_{d}.csv"), NSDEB_COLS, self.nsdeb)
        write(os.path.join(e, f"NS_Opkraevninger_{d}.csv"), NSOPK_COLS, self.nsopk)
        with open(expect, "w", encoding="utf-8") as f:
            for b in sorted(f"{c};{k};{plain(a)}".encode() for c, k, a in self.expect):
                f.write(b.decode() + "\n")


def cmd_gen(argv):
    pos = argv
    seed, drops, expect = int(pos[0]), pos[1], pos[2]
    ng = int(pos[3]) if len(pos) > 3 else 4
    ns = int(pos[4]) if len(pos) > 4 else 8
    g = Gen(seed, ng, ns)
    g.build()
    g.write(drops, expect)


def cmd_check(argv):
    pos = argv
    seed = int(pos[0])
    ng = int(pos[1]) if len(pos) > 1 else 4
    ns = int(pos[2]) if len(pos) > 2 else 8
    tmp = tempfile.mkdtemp(prefix="opk")
    try:
        drops, expect = os.path.join(tmp, "drops"), os.path.join(tmp, "expect")
        cmd_gen([str(seed), drops, expect, str(ng), str(ns)])
        summary, exc = run_model(drops, NIGHT, default_conf())
        got = [b.decode() for b in breaks(exc)]
        want = open(expect, encoding="utf-8").read().splitlines()
        # the invariant: per group and month, the exceptions sum to the difference
        for month, g, left, right, diff, expl, unexpl, status in summary:
            s = sum(e["amount"] for e in exc if e["month"] == month and e["key"] == g)
            assert s == diff, (g, month, s, diff)
            assert status != "OK" or not any(e["month"] == month and e["key"] == g for e in exc)
        if got != want:
            import difflib
            sys.stdout.writelines(difflib.unified_diff(
                [w + "\n" for w in want], [x + "\n" for x in got], "expect", "model"))
            return 1
        lines = sum(1 for _ in open(os.path.join(drops, "easya",
                                                 "EASYA_Opkraevningslinjer_20250315.csv")))
        print(f"seed {seed}: {len(want)} exceptions as the answer key "
              f"({lines - 1} lines, {len(summary)} summary rows)")
        return 0
    finally:
        shutil.rmtree(tmp)


# --------------------------------------------------------------------------
# Self-test of the date helpers (DESIGN.md section 6)
# --------------------------------------------------------------------------

DATE_CASES = [
    # (function, args, expected, what)
    ("quarter_start", (20250101,), 20250101, "first day of Q1 is its own start"),
    ("quarter_start", (20250201,), 20250101, "rate 1's due date: Q1"),
    ("quarter_start", (20250331,), 20250101, "last day of Q1"),
    ("quarter_start", (20250401,), 20250401, "first day of Q2"),
    ("quarter_start", (20250630,), 20250401, "last day of Q2"),
    ("quarter_start", (20250701,), 20250701, "first day of Q3"),
    ("quarter_start", (20251001,), 20251001, "first day of Q4"),
    ("quarter_start", (20251231,), 20251001, "last day of the year"),
    ("quarter_start", (20240229,), 20240101, "29 February, leap year"),
    ("age_on", (20070401, 20250331), 17, "the day before the 18th birthday"),
    ("age_on", (20070401, 20250401), 18, "on the 18th birthday"),
    ("age_on", (20080229, 20260228), 17, "born 29 Feb: 28 Feb of a common year, not yet"),
    ("age_on", (20080229, 20260301), 18, "born 29 Feb: 1 Mar of a common year"),
    ("age_on", (20080229, 20280228), 19, "born 29 Feb: 28 Feb of a leap year, not yet"),
    ("age_on", (20080229, 20280229), 20, "born 29 Feb: 29 Feb of a leap year"),
    ("age_on", (20250315, 20250314), -1, "a day before birth"),
    ("age_on", (20250315, 20250315), 0, "the day of birth"),
    ("age_at_quarter_start", (20070401, 20250401), 18, "turns 18 on the quarter's first day"),
    ("age_at_quarter_start", (20070401, 20250630), 18, "same quarter, later due date"),
    ("age_at_quarter_start", (20070402, 20250401), 17, "turns 18 the day after the quarter starts"),
    ("age_at_quarter_start", (20070402, 20250630), 17, "... so under 18 all of Q2"),
    ("age_at_quarter_start", (20070402, 20250701), 18, "... and 18 from Q3"),
    ("age_at_quarter_start", (20070331, 20250331), 17, "turns 18 on the last day of Q1: Q1 free"),
    ("age_at_quarter_start", (20070331, 20250401), 18, "... Q2 charged"),
    ("age_at_quarter_start", (20070101, 20250101), 18, "turns 18 on 1 January"),
    ("age_at_quarter_start", (20070102, 20250215), 17, "turns 18 on 2 January: Q1 free"),
    ("age_at_quarter_start", (20070210, 20250201), 17, "S3 Carl, rate 1"),
    ("age_at_quarter_start", (20070210, 20250401), 18, "S3 Carl, rate 2"),
    ("age_at_quarter_start", (20070520, 20250401), 17, "S2 Bea, rate 2"),
    ("age_at_quarter_start", (20060302, 20250201), 18, "S6 Frida"),
    ("age_at_quarter_start", (20080229, 20260201), 17, "born 29 Feb 2008, Q1 2026"),
    ("age_at_quarter_start", (20080229, 20260401), 18, "born 29 Feb 2008, Q2 2026 (common year)"),
    ("age_at_quarter_start", (20080229, 20260228), 17, "born 29 Feb 2008, due 28 Feb 2026"),
    ("age_at_quarter_start", (20080229, 20280229), 19, "born 29 Feb, due 29 Feb 2028 (Q1)"),
    ("age_at_quarter_start", (20080229, 20280401), 20, "born 29 Feb, Q2 2028 (leap year)"),
    ("period_covers", (20250115, 20281231, 20250201), True, "S3's agreement covers rate 1"),
    ("period_covers", (20250201, 20250201, 20250201), True, "a one-day agreement on the due date"),
    ("period_covers", (20250202, 20281231, 20250201), False, "starts the day after the due date"),
    ("period_covers", (20240101, 20250131, 20250201), False, "ended the day before"),
    ("period_covers", (20240101, 0, 20250201), True, "no end date: open"),
    ("period_covers", (0, 20250201, 20250201), True, "no start date: open start"),
    ("period_covers", (20250106, 20250620, 20250620), True, "end day itself, inclusive"),
    ("period_covers_excl", (20250106, 20250620, 20250620), False, "end day, exclusive [Fra, Til)"),
    ("period_covers_excl", (20250106, 20250620, 20250619), True, "day before end, exclusive"),
    ("add_months", (20250131, 1), 20250228, "31 Jan + 1: clamped to 28 Feb"),
    ("add_months", (20240131, 1), 20240229, "31 Jan + 1 in a leap year: 29 Feb"),
    ("add_months", (20240229, 12), 20250228, "29 Feb + 12: 28 Feb"),
    ("add_months", (20240229, 48), 20280229, "29 Feb + 48: 29 Feb"),
    ("add_months", (20250331, -1), 20250228, "31 Mar - 1: 28 Feb"),
    ("add_months", (20250115, -1), 20241215, "back across a year end"),
    ("add_months", (20251130, 3), 20260228, "30 Nov + 3: 28 Feb"),
    ("add_months", (20250531, 1), 20250630, "31 May + 1: 30 Jun"),
    ("add_months", (20250101, 0), 20250101, "+0"),
    ("half_year", (20250101,), 20251, "1 January"),
    ("half_year", (20250630,), 20251, "30 June"),
    ("half_year", (20250701,), 20252, "1 July"),
    ("half_year", (20241231,), 20242, "31 December"),
    ("half_year_start", (20250630,), 20250101, "start of H1"),
    ("half_year_start", (20251231,), 20250701, "start of H2"),
    ("add_days", (20250315, 30), 20250414, "the night's lookahead end"),
    ("add_days", (20240228, 1), 20240229, "into 29 Feb"),
    ("add_days", (20250228, 1), 20250301, "common year"),
]


def cmd_selftest(_argv):
    fns = {"quarter_start": day_quarter_start, "age_on": age_on,
           "age_at_quarter_start": age_at_quarter_start,
           "period_covers": lambda a, b, d: period_covers(a, b, d),
           "period_covers_excl": lambda a, b, d: period_covers(a, b, d, PERIOD_TO_EXCLUSIVE),
           "add_months": day_add_months, "half_year": day_half_year,
           "half_year_start": day_half_year_start, "add_days": day_add_days}
    bad = 0
    for fn, args, want, what in DATE_CASES:
        got = fns[fn](*args)
        if got != want:
            print(f"FAIL {fn}{args} = {got}, want {want} ({what})")
            bad += 1
    # against datetime, every day 1999-2030
    d = datetime.date(1999, 1, 1)
    while d.year <= 2030:
        x = d.year * 10000 + d.month * 100 + d.day
        assert day_from_number(day_number(x)) == x
        assert day_number(x) == (d - datetime.date(1970, 1, 1)).days
        q = datetime.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
        assert day_quarter_start(x) == q.year * 10000 + q.month * 100 + 1
        d += datetime.timedelta(days=1)
    cprs = [("650305-4011", 20050305), ("800507-4022", 20070520), ("700207-4033", 20070210),
            ("720399-1044", 19990312), ("690106-4055", 20060109), ("620306-4066", 20060302),
            ("710904-4077", 20040911), ("630803-4088", 20030803), ("890208-4001", 20080229),
            ("290208-4001", 20080229), ("890209-4001", None), ("920101-4001", None),
            ("600101-4001", None), ("610101-4001", 20010101), ("999999-9999", None)]
    for c, want in cprs:
        p = cpr_parse(c)
        got = p[1] if p else None
        if got != want:
            print(f"FAIL cpr_parse({c}) birth {got}, want {want}")
            bad += 1
    print(f"{len(DATE_CASES) + len(cprs)} cases, {bad} failed")
    return 1 if bad else 0


def main(argv):
    if not argv:
        print(__doc__)
        return 64
    if argv[0] == "model":
        cmd_model(argv[1:])
        return 0
    if argv[0] == "check":
        return cmd_check(argv[1:])
    if argv[0] == "fixture":
        cmd_fixture(argv[1:])
        return 0
    if argv[0] == "selftest":
        return cmd_selftest(argv[1:])
    cmd_gen(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
