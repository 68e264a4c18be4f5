#!/usr/bin/env python3
"""One-change variants of the worked example (fixtures/easy-a, night
2025-03-15) and what each must give, computed by the reference model
(gen-opkraevning.py); --markdown prints them as a table.

usage: opkraevning-cases.py [--markdown] [CASE...]
       opkraevning-cases.py --list
       opkraevning-cases.py --write CASE DROPS
       opkraevning-cases.py --write-all DIR
  without --markdown: for each case, the exception rows that differ from the
  worked example ('+' added, '-' gone) and the summary rows that differ.
  --list: the cases' names, one a line.
  --write-all: for every case, its drops in DIR/vCASE and the reference
  model's output of night 2025-03-15 in DIR/mCASE (one process, because
  starting Python 73 times costs minutes on a loaded machine).
  --write: writes the variant's drops (easya/ with .done markers) into DROPS,
  for an end-to-end test that runs the pipeline and the reference model
  ('gen-opkraevning.py model') on the same drops and compares the files.
Each case names the change in words; the function below it does exactly
that to a copy of the fixture's files.
"""
import csv
import importlib.util
import io
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("gen", os.path.join(HERE, "gen-opkraevning.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

FILES = {"L": "EASYA_Opkraevningslinjer", "F": "EASYA_Gruppegebyrer", "S": "EASYA_Elever",
         "D": "NS_Debitorer", "N": "NS_Opkraevninger"}
CPR = {"S1": "650305-4011", "S2": "800507-4022", "S3": "700207-4033", "S4": "720399-1044",
       "S5": "690106-4055", "S6": "620306-4066", "S7": "710904-4077", "S8": "630803-4088"}


class Night:
    def __init__(self, drops):
        self.drops = drops
        self.t = {}
        for k, name in FILES.items():
            p = os.path.join(drops, "easya", f"{name}_20250315.csv")
            rows = list(csv.reader(io.StringIO(open(p, encoding="utf-8").read()), delimiter=";"))
            self.t[k] = (rows[0], rows[1:])

    def rows(self, k, **match):
        h, rs = self.t[k]
        out = []
        for r in rs:
            if all(r[h.index(c)] == v for c, v in match.items()):
                out.append(r)
        return out

    def set(self, k, col, val, **match):
        h, _ = self.t[k]
        rs = self.rows(k, **match)
        assert rs, (k, match)
        for r in rs:
            r[h.index(col)] = val

    def add_col(self, k, col, default=""):
        h, rs = self.t[k]
        if col not in h:
            h.append(col)
            for r in rs:
                r.append(default)

    def append(self, k, **vals):
        h, rs = self.t[k]
        for c in vals:
            if c not in h:
                self.add_col(k, c)
        rs.append([vals.get(c, "") for c in h])

    def delete(self, k, **match):
        h, rs = self.t[k]
        doomed = self.rows(k, **match)
        assert doomed, (k, match)
        self.t[k] = (h, [r for r in rs if r not in doomed])

    def drop_file(self, k):
        self.t[k] = None

    def write(self):
        for k, name in FILES.items():
            p = os.path.join(self.drops, "easya", f"{name}_20250315.csv")
            if self.t[k] is None:
                os.remove(p)
                os.remove(p + ".done")
                continue
            h, rs = self.t[k]
            with open(p, "w", encoding="utf-8", newline="") as f:
                f.write(";".join(h) + "\n")
                for r in rs:
                    f.write(";".join(r) + "\n")


def line(n, cpr, **kw):
    base = dict(Forloebsgruppe="GF2-SMED-25F", Aktivitet="SMED-GF2", CPR=cpr, Fornavn="X",
                Efternavn="Y", Gebyrtype="SKHBER-LOK", Central_gebyrtype="Skhber", Rate="1",
                Difference="N", Beloeb="0,00", Opkraevet_beloeb="0,00",
                Forfaldsdato="2025-04-01", Oe_kontostreng="211010.9440", Debitortype="P",
                EASYA_ident=cpr, NS_debitornr="", Skal_arve="J", Aut_arv="J", Opkr_nr="",
                Status="IKKE_OPKRAEVET")
    base.update(kw)
    n.append("L", **base)


S = CPR
L1 = dict(Rate="1", Difference="N")
L2 = dict(Rate="2", Difference="N")

CASES = []


def case(name, rule, change):
    def deco(fn):
        CASES.append((name, rule, change, fn))
        return fn
    return deco


@case("base", "-", "the worked example unchanged")
def _(n):
    pass


# ---- rule 6 and its dates
@case("under18-turns-18-on-quarter-start", "6", "S2 born 2007-04-01 instead of 2007-05-20 "
      "(CPR 610407-4022 in both files): 17 on 2025-01-01, 18 on 2025-04-01")
def _(n):
    n.set("L", "CPR", "610407-4022", CPR=S["S2"])
    n.set("L", "EASYA_ident", "610407-4022", CPR="610407-4022")
    n.set("S", "CPR", "610407-4022", CPR=S["S2"])


@case("under18-turns-18-day-after", "6", "S2 born 2007-04-02 (CPR 620407-4022): still 17 on "
      "2025-04-01")
def _(n):
    n.set("L", "CPR", "620407-4022", CPR=S["S2"])
    n.set("L", "EASYA_ident", "620407-4022", CPR="620407-4022")
    n.set("S", "CPR", "620407-4022", CPR=S["S2"])


@case("under18-born-29-feb", "6", "S2 born 2008-02-29 (CPR 890208-4022): 16 on both quarter "
      "starts")
def _(n):
    n.set("L", "CPR", "890208-4022", CPR=S["S2"])
    n.set("L", "EASYA_ident", "890208-4022", CPR="890208-4022")
    n.set("S", "CPR", "890208-4022", CPR=S["S2"])


@case("agreement-from-day-after-due", "6", "S3's agreement from 2025-02-02 (the day after "
      "rate 1's due date) to 2028-12-31")
def _(n):
    n.set("S", "Uddannelsesaftale_fra", "2025-02-02", CPR=S["S3"])


@case("agreement-ends-day-before-due", "6", "S3's agreement 2024-01-01 to 2025-01-31")
def _(n):
    n.set("S", "Uddannelsesaftale_fra", "2024-01-01", CPR=S["S3"])
    n.set("S", "Uddannelsesaftale_til", "2025-01-31", CPR=S["S3"])


@case("agreement-one-day-on-due", "6", "S3's agreement 2025-02-01 to 2025-02-01 (inclusive "
      "both ends)")
def _(n):
    n.set("S", "Uddannelsesaftale_fra", "2025-02-01", CPR=S["S3"])
    n.set("S", "Uddannelsesaftale_til", "2025-02-01", CPR=S["S3"])


@case("agreement-open-ended", "6", "S2 gets an agreement from 2025-01-15 with no end date")
def _(n):
    n.set("S", "Uddannelsesaftale_fra", "2025-01-15", CPR=S["S2"])


# ---- the two allowed things
@case("allowed-charged-after-departure", "16a", "S1 left on 2025-03-10 (Placering_slut), its "
      "rate 2 line removed (not expected after leaving), and rate 1 charged on 2025-03-12, "
      "after the departure (column Opkraevet_dato)")
def _(n):
    n.set("S", "Placering_slut", "2025-03-10", CPR=S["S1"])
    n.delete("L", CPR=S["S1"], **L2)
    n.add_col("L", "Opkraevet_dato")
    n.set("L", "Opkraevet_dato", "2025-03-12", CPR=S["S1"], **L1)


@case("allowed-due-outside-booking", "16b", "the group is an external booking group "
      "(column Enhedstype = BOOKINGGRUPPE on both fee rows) and S1's booking runs 2025-02-10 "
      "to 2025-03-05: rate 1 (02-01) is due before it, rate 2 (04-01) after it")
def _(n):
    n.add_col("F", "Enhedstype", "BOOKINGGRUPPE")
    n.set("S", "Placering_start", "2025-02-10", CPR=S["S1"])
    n.set("S", "Placering_slut", "2025-03-05", CPR=S["S1"])


@case("contrast-due-after-end-forloeb", "15", "as allowed-due-outside-booking but the group "
      "stays a course group (FORLOEBSGRUPPE)")
def _(n):
    n.set("S", "Placering_start", "2025-02-10", CPR=S["S1"])
    n.set("S", "Placering_slut", "2025-03-05", CPR=S["S1"])


# ---- rules 1-5, 7
@case("uden-central-gebyrtype-line", "1", "S5's rate 2 line has no Central_gebyrtype")
def _(n):
    n.set("L", "Central_gebyrtype", "", CPR=S["S5"], **L2)


@case("uden-central-gebyrtype-group", "1", "a group fee GAMMEL-LOK without central type, "
      "rate 2, 100,00, due 2025-04-01")
def _(n):
    n.append("F", Forloebsgruppe="GF2-SMED-25F", Gruppe_start="2025-01-06",
             Gruppe_slut="2025-06-20", Gebyrtype="GAMMEL-LOK", Central_gebyrtype="", Rate="2",
             Beloeb="100,00", Forfaldsdato="2025-04-01", Oe_kontostreng="211010.9440",
             Debitortype="P")


@case("individuelt-i-d438", "2", "S1 gets an individual fee IND-LOK (central 'Individuelt "
      "gebyr'), rate 1, 500,00 charged by D438 (column Opkr_job), opkr.nr. 1006, Skal_arve and "
      "Aut_arv N, booked in NS")
def _(n):
    line(n, S["S1"], Gebyrtype="IND-LOK", Central_gebyrtype="Individuelt gebyr", Rate="1",
         Beloeb="500,00", Opkraevet_beloeb="500,00", Forfaldsdato="2025-02-01", Skal_arve="N",
         Aut_arv="N", Opkr_nr="1006", Status="OPKRAEVET", Opkr_job="D438")
    n.append("N", Opkr_nr="1006", Bilagsnr="NS-50006", Bogfoert="J", Beloeb="500,00",
             Kreditnota="N")


@case("individuelt-i-d638", "2", "as individuelt-i-d438 but charged by D638")
def _(n):
    line(n, S["S1"], Gebyrtype="IND-LOK", Central_gebyrtype="Individuelt gebyr", Rate="1",
         Beloeb="500,00", Opkraevet_beloeb="500,00", Forfaldsdato="2025-02-01", Skal_arve="N",
         Aut_arv="N", Opkr_nr="1006", Status="OPKRAEVET", Opkr_job="D638")
    n.append("N", Opkr_nr="1006", Bilagsnr="NS-50006", Bogfoert="J", Beloeb="500,00",
             Kreditnota="N")


@case("skolehjemsgebyr-paa-hold", "3", "a hold HOLD-SVEJS (fee row with Enhedstype HOLD: "
      "SKHBER-LOK, rate 1, 990,00, due 2025-03-01) and an uncharged 990,00 line of S1 on it")
def _(n):
    n.add_col("F", "Enhedstype")
    n.append("F", Forloebsgruppe="HOLD-SVEJS", Gruppe_start="2025-02-03", Gruppe_slut="2025-03-28",
             Gebyrtype="SKHBER-LOK", Central_gebyrtype="Skhber", Rate="1", Beloeb="990,00",
             Forfaldsdato="2025-03-01", Oe_kontostreng="211010.9440", Debitortype="P",
             Enhedstype="HOLD")
    line(n, S["S1"], Forloebsgruppe="HOLD-SVEJS", Beloeb="990,00", Forfaldsdato="2025-03-01")


@case("arv-uden-skolehjem", "4", "S1 has Skolehjem N")
def _(n):
    n.set("S", "Skolehjem", "N", CPR=S["S1"])


@case("forsoerger-S1", "5", "S1 is a provider (Forsoerger J)")
def _(n):
    n.set("S", "Forsoerger", "J", CPR=S["S1"])


@case("forsoerger-not-entitled", "5", "S4 (provider) is not entitled (Skolehjemsaarselev N): "
      "the provider exemption is for entitled students only, so the rule-7 type check applies")
def _(n):
    n.set("S", "Skolehjemsaarselev", "N", CPR=S["S4"])


@case("forkert-skolehjemstype", "7", "S5 has Skolehjemsaarselev N (should have Skhejb; the "
      "group has no Skhejb fee)")
def _(n):
    n.set("S", "Skolehjemsaarselev", "N", CPR=S["S5"])


@case("forkert-skolehjemstype-with-fee", "7", "as forkert-skolehjemstype, and the group has "
      "SKHEJB-LOK (Skhejb) 4.950,00 rate 1 and 6.187,50 rate 2")
def _(n):
    n.set("S", "Skolehjemsaarselev", "N", CPR=S["S5"])
    for r, a, d in (("1", "4950,00", "2025-02-01"), ("2", "6187,50", "2025-04-01")):
        n.append("F", Forloebsgruppe="GF2-SMED-25F", Gruppe_start="2025-01-06",
                 Gruppe_slut="2025-06-20", Gebyrtype="SKHEJB-LOK", Central_gebyrtype="Skhejb",
                 Rate=r, Beloeb=a, Forfaldsdato=d, Oe_kontostreng="211010.9440", Debitortype="P")


# ---- rule 8, 9
@case("elev-uden-gebyr-arv-fra-2", "8", "S8 inherits from rate 2 (Arv_fra_rate 2)")
def _(n):
    n.set("S", "Arv_fra_rate", "2", CPR=S["S8"])


@case("gebyrafvigelse", "8", "S5's uncharged rate 2 line is 2.500,00 (group 2.475,00)")
def _(n):
    n.set("L", "Beloeb", "2500,00", CPR=S["S5"], **L2)


@case("gebyrafvigelse-skal-arve-N", "8", "as gebyrafvigelse with Skal_arve N and Aut_arv N on "
      "that line: kept, not flagged")
def _(n):
    n.set("L", "Beloeb", "2500,00", CPR=S["S5"], **L2)
    n.set("L", "Skal_arve", "N", CPR=S["S5"], **L2)
    n.set("L", "Aut_arv", "N", CPR=S["S5"], **L2)


@case("line-before-arv-fra-rate", "8", "S1 inherits from rate 2 (Arv_fra_rate 2) but has its "
      "charged rate 1 line and its difference line")
def _(n):
    n.set("S", "Arv_fra_rate", "2", CPR=S["S1"])


@case("dobbelt-gebyr", "8", "S5's rate 2 line twice")
def _(n):
    r = list(n.rows("L", CPR=S["S5"], **L2)[0])
    n.t["L"][1].append(r)


@case("difference-fixed", "9", "S3 gets its difference line: rate 1, Difference J, 99,00, "
      "due 2025-04-01, uncharged")
def _(n):
    line(n, S["S3"], Rate="1", Difference="J", Beloeb="99,00")


@case("difference-wrong-amount", "9", "S1's difference line is 90,00 instead of 99,00")
def _(n):
    n.set("L", "Beloeb", "90,00", CPR=S["S1"], Rate="1", Difference="J")


@case("difference-uden-arv", "9", "S5 (Skal_arve N on rate 1) gets a difference line 579,00 "
      "for rate 1")
def _(n):
    line(n, S["S5"], Rate="1", Difference="J", Beloeb="579,00")


@case("difference-uden-grundlag", "9", "S8 (no lines) gets a difference line 99,00 for rate 1")
def _(n):
    line(n, S["S8"], Rate="1", Difference="J", Beloeb="99,00")


@case("difference-for-under-18", "9", "S2 (under 18) gets a difference line 99,00 for rate 1: "
      "no difference is owed for a fee that is not owed")
def _(n):
    line(n, S["S2"], Rate="1", Difference="J", Beloeb="99,00")


# ---- rules 10-12
@case("forfaldsdato-mangler", "10", "S5's rate 2 line has no Forfaldsdato")
def _(n):
    n.set("L", "Forfaldsdato", "", CPR=S["S5"], **L2)


@case("debitortype-mangler", "11", "S5's rate 2 line has no Debitortype")
def _(n):
    n.set("L", "Debitortype", "", CPR=S["S5"], **L2)


@case("debitor-mangler", "11", "S5's rate 2 line has no EASYA_ident")
def _(n):
    n.set("L", "EASYA_ident", "", CPR=S["S5"], **L2)


@case("debitorident-ugyldig", "12", "S5's rate 2 line has EASYA_ident 1234567890 (month 34)")
def _(n):
    n.set("L", "EASYA_ident", "1234567890", CPR=S["S5"], **L2)


@case("debitorident-substitute", "12", "S5's rate 2 line's ident is another substitute CPR, "
      "890208-4001 (born 2008-02-29): valid")
def _(n):
    n.set("L", "EASYA_ident", "890208-4001", CPR=S["S5"], **L2)


@case("l-uden-laerested", "12", "S5's rate 2 line is Debitortype L, EASYA_ident LS0042; S5 has "
      "no Laerested_id")
def _(n):
    n.set("L", "Debitortype", "L", CPR=S["S5"], **L2)
    n.set("L", "EASYA_ident", "LS0042", CPR=S["S5"], **L2)


@case("l-with-laerested", "12", "as l-uden-laerested and S5's Laerested_id is LS0042")
def _(n):
    n.set("L", "Debitortype", "L", CPR=S["S5"], **L2)
    n.set("L", "EASYA_ident", "LS0042", CPR=S["S5"], **L2)
    n.set("S", "Laerested_id", "LS0042", CPR=S["S5"])


@case("ean-mangler", "12", "S5's rate 2 line is Debitortype E, EASYA_ident LS0042, EAN_nr "
      "0200000000425 (wrong check digit; 0200000000424 is right)")
def _(n):
    n.set("L", "Debitortype", "E", CPR=S["S5"], **L2)
    n.set("L", "EASYA_ident", "LS0042", CPR=S["S5"], **L2)
    n.set("S", "Laerested_id", "LS0042", CPR=S["S5"])
    n.add_col("L", "EAN_nr")
    n.set("L", "EAN_nr", "0200000000425", CPR=S["S5"], **L2)


@case("ean-valid", "12", "as ean-mangler with EAN_nr 0200000000424")
def _(n):
    n.set("L", "Debitortype", "E", CPR=S["S5"], **L2)
    n.set("L", "EASYA_ident", "LS0042", CPR=S["S5"], **L2)
    n.set("S", "Laerested_id", "LS0042", CPR=S["S5"])
    n.add_col("L", "EAN_nr")
    n.set("L", "EAN_nr", "0200000000424", CPR=S["S5"], **L2)


@case("n-debitor-ukendt", "12", "S6's lines have NS_debitornr 99 (not in NS_Debitorer)")
def _(n):
    n.set("L", "NS_debitornr", "99", CPR=S["S6"])


@case("n-debitor-known", "12", "S6's lines have NS_debitornr 46 (in NS_Debitorer, active)")
def _(n):
    n.set("L", "NS_debitornr", "46", CPR=S["S6"])


@case("debitor-inaktiv-on-due", "12", "as n-debitor-known and debtor 46 is inactive from "
      "2025-04-01 (Inaktiv_pr), rate 2's due date")
def _(n):
    n.set("L", "NS_debitornr", "46", CPR=S["S6"])
    n.set("D", "Inaktiv_pr", "2025-04-01", NS_debitornr="46")


@case("debitor-inaktiv-day-after", "12", "as debitor-inaktiv-on-due with Inaktiv_pr 2025-04-02")
def _(n):
    n.set("L", "NS_debitornr", "46", CPR=S["S6"])
    n.set("D", "Inaktiv_pr", "2025-04-02", NS_debitornr="46")


@case("no-ns-debitorer-file", "12", "S6's lines have NS_debitornr 99 and no NS_Debitorer file "
      "arrived: existence and inactivity are not checked")
def _(n):
    n.set("L", "NS_debitornr", "99", CPR=S["S6"])
    n.drop_file("D")


# ---- rules 9 (credit notes), 14 (NS booking), 15
@case("kreditnota-mangler", "13", "S2's placement is deleted (Placering_slettet J); her charge "
      "1002 has no credit note")
def _(n):
    n.set("S", "Placering_slettet", "J", CPR=S["S2"])


@case("kreditnota-ikke-bogfoert", "13", "as kreditnota-mangler, her line is KREDITERET and NS "
      "has credit note KN-1002 for 1002 (-1.980,00), not booked")
def _(n):
    n.set("S", "Placering_slettet", "J", CPR=S["S2"])
    n.set("L", "Status", "KREDITERET", CPR=S["S2"])
    n.append("N", Opkr_nr="1002", Bilagsnr="KN-1002", Bogfoert="N", Beloeb="-1980,00",
             Kreditnota="J")


@case("kreditnota-bogfoert", "13", "as kreditnota-ikke-bogfoert with the credit note booked")
def _(n):
    n.set("S", "Placering_slettet", "J", CPR=S["S2"])
    n.set("L", "Status", "KREDITERET", CPR=S["S2"])
    n.append("N", Opkr_nr="1002", Bilagsnr="KN-1002", Bogfoert="J", Beloeb="-1980,00",
             Kreditnota="J")


@case("placering-slettet", "13", "S5's placement is deleted: its charge 1005 has no credit "
      "note and its rate 2 line (uncharged) is still there")
def _(n):
    n.set("S", "Placering_slettet", "J", CPR=S["S5"])


@case("ikke-bogfoert-i-ns", "14", "NS has 1001 (S1's charge) with Bogfoert N")
def _(n):
    n.set("N", "Bogfoert", "N", Opkr_nr="1001")


@case("ikke-i-ns", "14", "NS lacks 1005 (S5's charge)")
def _(n):
    n.delete("N", Opkr_nr="1005")


@case("ikke-i-ns-within-days", "14", "NS lacks 1005 but S5's charge was made on 2025-03-06 "
      "(column Opkraevet_dato): 9 days, within ns-booking-days 10")
def _(n):
    n.delete("N", Opkr_nr="1005")
    n.add_col("L", "Opkraevet_dato")
    n.set("L", "Opkraevet_dato", "2025-03-06", CPR=S["S5"], **L1)


@case("ikke-i-ns-11-days", "14", "as ikke-i-ns-within-days, charged on 2025-03-04 (11 days)")
def _(n):
    n.delete("N", Opkr_nr="1005")
    n.add_col("L", "Opkraevet_dato")
    n.set("L", "Opkraevet_dato", "2025-03-04", CPR=S["S5"], **L1)


@case("no-ns-opkraevninger-file", "14", "no NS_Opkraevninger file arrived: booking is not "
      "checked")
def _(n):
    n.drop_file("N")


@case("forfald-efter-slutdato", "15", "S5 leaves on 2025-03-31 (Placering_slut); its rate 2 "
      "line (due 04-01) has Aut_arv J")
def _(n):
    n.set("S", "Placering_slut", "2025-03-31", CPR=S["S5"])


@case("forfald-efter-slutdato-manual", "15", "as forfald-efter-slutdato with Aut_arv N on the "
      "rate 2 line: a manual fee, kept")
def _(n):
    n.set("S", "Placering_slut", "2025-03-31", CPR=S["S5"])
    n.set("L", "Aut_arv", "N", CPR=S["S5"], **L2)


@case("due-on-end-date", "15", "S5 leaves on 2025-04-01, rate 2's due date: inside")
def _(n):
    n.set("S", "Placering_slut", "2025-04-01", CPR=S["S5"])


@case("gruppe-slut", "15", "the group ends 2025-03-31 (Gruppe_slut on both fee rows)")
def _(n):
    n.set("F", "Gruppe_slut", "2025-03-31")


@case("aut-arv-uden-skal-arve", "15", "S5's rate 1 line has Aut_arv J (Skal_arve N)")
def _(n):
    n.set("L", "Aut_arv", "J", CPR=S["S5"], **L1)


# ---- rules 16-18 and the rest
@case("rate-forskellige-forfald-group", "17", "the group gets SKHEJB-LOK (Skhejb) rate 2 "
      "6.187,50 due 2025-04-02, a day after SKHBER-LOK's rate 2")
def _(n):
    n.append("F", Forloebsgruppe="GF2-SMED-25F", Gruppe_start="2025-01-06",
             Gruppe_slut="2025-06-20", Gebyrtype="SKHEJB-LOK", Central_gebyrtype="Skhejb",
             Rate="2", Beloeb="6187,50", Forfaldsdato="2025-04-02",
             Oe_kontostreng="211010.9440", Debitortype="P")


@case("rate-forskellige-forfald-line", "17", "S5's rate 2 line is due 2025-04-03 (the group's "
      "rate 2 is due 04-01)")
def _(n):
    n.set("L", "Forfaldsdato", "2025-04-03", CPR=S["S5"], **L2)


@case("gruppegebyr-uden-debitortype", "17/13", "the group's rate 2 fee has no Debitortype")
def _(n):
    n.set("F", "Debitortype", "", Rate="2")


@case("flytning", "18", "S5 moved on 2025-01-20 from GF2-SMED-24E (Flyttet_fra, Flyttedato); "
      "its charged rate 1 line (1.500,00) came along (Oprindelig_gruppe GF2-SMED-24E) but "
      "GF2-SMED-25F has no 1.500,00 fee; an uncharged rate 2 line 2.475,00 (due 04-01) is "
      "left on GF2-SMED-24E")
def _(n):
    n.add_col("S", "Flyttet_fra")
    n.add_col("S", "Flyttedato")
    n.set("S", "Flyttet_fra", "GF2-SMED-24E", CPR=S["S5"])
    n.set("S", "Flyttedato", "2025-01-20", CPR=S["S5"])
    n.add_col("L", "Oprindelig_gruppe")
    n.set("L", "Oprindelig_gruppe", "GF2-SMED-24E", CPR=S["S5"], **L1)
    line(n, S["S5"], Forloebsgruppe="GF2-SMED-24E", Rate="2", Beloeb="2475,00")


@case("elev-ikke-placeret", "8", "S5's student row is removed")
def _(n):
    n.delete("S", CPR=S["S5"])


@case("krediteret-entitled", "9", "S1's rate 1 charge is KREDITERET (credit note booked in "
      "NS) although S1 is still placed and entitled")
def _(n):
    n.set("L", "Status", "KREDITERET", CPR=S["S1"], **L1)
    n.append("N", Opkr_nr="1001", Bilagsnr="KN-1001", Bogfoert="J", Beloeb="-1980,00",
             Kreditnota="J")


@case("bookingdifference-mangler", "14 (seed)", "a guest booking GAEST-0042 (Enhedstype GAEST): "
      "guest 660180-4011 charged 1.000,00 due 2025-02-15 (opkr. 2001, booked), the amount "
      "since changed to 1.200,00, no new booking charge")
def _(n):
    line(n, "660180-4011", Forloebsgruppe="GAEST-0042", Gebyrtype="GAEST-LOK",
         Central_gebyrtype="Gaestegebyr", Beloeb="1200,00", Opkraevet_beloeb="1000,00",
         Forfaldsdato="2025-02-15", Opkr_nr="2001", Status="OPKRAEVET", Enhedstype="GAEST")
    n.append("N", Opkr_nr="2001", Bilagsnr="NS-2001", Bogfoert="J", Beloeb="1000,00",
             Kreditnota="N")


@case("cpr-invalid-rejected", "12 (seed)", "a line with CPR 991399-9999, neither a CPR nor "
      "a substitute number, uncharged 2.475,00 rate 2: normalise rejects the row (file:line:"
      "column in rejected/), so there is no line to judge")
def _(n):
    line(n, "991399-9999", Rate="2", Beloeb="2475,00", EASYA_ident="650305-4011")


@case("outside-window", "window", "the group's rate 2 and every line due 2025-04-01 (the rate 2 "
      "lines and S1's difference line) are due 2025-04-15 instead, night + 31 days: after the "
      "window's end 2025-04-14")
def _(n):
    n.set("F", "Forfaldsdato", "2025-04-15", Rate="2")
    n.set("L", "Forfaldsdato", "2025-04-15", Forfaldsdato="2025-04-01")


@case("rejected-line", "schema", "S1's rate 1 line (file line 2) has Skal_arve X: the row is "
      "rejected (EASYA_Opkraevningslinjer_20250315.csv;2;17;Skal_arve: value is not one of J,N)")
def _(n):
    n.set("L", "Skal_arve", "X", CPR=S["S1"], **L1)


@case("rejected-student", "schema", "S8's student row has CPR 991399-4088 (not even a "
      "substitute number): rejected (EASYA_Elever_20250315.csv;9;1;CPR: ...), so S8 is not "
      "expected at all")
def _(n):
    n.set("S", "CPR", "991399-4088", CPR=S["S8"])


def only_s1_s5(n):
    for k in ("S2", "S3", "S4", "S6", "S7", "S8"):
        if n.rows("L", CPR=S[k]):
            n.delete("L", CPR=S[k])
        n.delete("S", CPR=S[k])


@case("status-ok", "status", "only S1 and S5 (every other student's lines and row removed)")
def _(n):
    only_s1_s5(n)


@case("status-explained", "status", "as status-ok, and S5's rate 1 line has Aut_arv J: a "
      "warning only")
def _(n):
    only_s1_s5(n)
    n.set("L", "Aut_arv", "J", CPR=S["S5"], **L1)


@case("status-zero-break", "status", "as status-ok, and NS has 1001 with Bogfoert N: an "
      "exception of 0,00 that is a break")
def _(n):
    only_s1_s5(n)
    n.set("N", "Bogfoert", "N", Opkr_nr="1001")


def run(fn):
    tmp = tempfile.mkdtemp(prefix="opkcase")
    try:
        drops = os.path.join(tmp, "drops")
        gen.cmd_fixture([drops])
        n = Night(drops)
        fn(n)
        n.write()
        return gen.run_model(drops, 20250315, gen.default_conf())
    finally:
        shutil.rmtree(tmp)


def rows(summary, exc):
    s = {(gen.month_iso(m), g): (l, r, d, st) for m, g, l, r, d, e, u, st in summary}
    x = {}
    for e in exc:
        k = (gen.month_iso(e["month"]), e["key"], e["cpr"], e["code"], e["ref"])
        x[k] = e
    return s, x


def write_case(name, drops):
    fn = next(c[3] for c in CASES if c[0] == name)
    gen.cmd_fixture([drops])
    n = Night(drops)
    fn(n)
    n.write()


def main(argv):
    if argv[:1] == ["--write"]:
        write_case(argv[1], argv[2])
        return
    if argv[:1] == ["--write-all"]:
        for c in CASES:
            v = os.path.join(argv[1], "v" + c[0])
            write_case(c[0], v)
            gen.cmd_model([v, "2025-03-15", os.path.join(argv[1], "m" + c[0])])
        return
    if argv[:1] == ["--list"]:
        print("\n".join(c[0] for c in CASES))
        return
    md = "--markdown" in argv
    names = [a for a in argv if not a.startswith("--")]
    bs, bx = rows(*run(CASES[0][3]))
    out = []
    for name, rule, change, fn in CASES:
        if names and name not in names:
            continue
        s, x = rows(*run(fn))
        added = [x[k] for k in sorted(x) if k not in bx or x[k]["amount"] != bx[k]["amount"]]
        gone = [bx[k] for k in sorted(bx) if k not in x or x[k]["amount"] != bx[k]["amount"]]
        sums = [(k, s[k]) for k in sorted(s) if bs.get(k) != s[k]]
        gone_rows = [k for k in sorted(bs) if k not in s]
        absolute = name == "base" or name.startswith("status-")
        if absolute:        # the whole night, not the difference from the example
            added, gone, sums, gone_rows = [x[k] for k in sorted(x)], [], sorted(s.items()), []

        def ex(e, sign):
            other = f" [also {e['other']}]" if e["other"] else ""
            who = e["cpr"] or "(group)"
            return (f"{sign} {e['month'] // 100}-{e['month'] % 100:02d} {e['key']} {who} "
                    f"{e['code']} {gen.plain(e['amount'])} (rate {e['rate']}"
                    f"{' diff' if e['difference'] == 'J' else ''}){other}")
        lines_ = [ex(e, "+") for e in added] + [ex(e, "-") for e in gone]
        sl = [f"{m} {g}: {gen.plain(l)} / {gen.plain(r)} / {gen.plain(d)} {st}"
              for (m, g), (l, r, d, st) in sums]
        sl += [f"{m} {g}: no row" for (m, g) in gone_rows]
        if not md:
            print(f"== {name} (rule {rule}): {change}")
            for t in lines_ or ["  exceptions: " + ("none" if absolute else "as the worked example")]:
                print("  " + t)
            for t in sl or ["as the worked example"]:
                print("  summary " + t)
        else:
            exs = "<br>".join(lines_) if lines_ else ("none" if absolute else
                                                      "exceptions as the worked example")
            ss = "<br>".join(sl) if sl else "summary as the worked example"
            out.append(f"| `{name}` | {rule} | {change} | {exs} | {ss} |")
    if md:
        print("| test | rule | change to fixtures/easy-a | exceptions (+ new or changed, "
              "- gone) | summary rows that change (left / right / difference status) |")
        print("|---|---|---|---|---|")
        print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:])
