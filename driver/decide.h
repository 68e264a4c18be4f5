/*
 * bin/pipeline decide and exceptions: the clerk's decisions on breaks.
 *
 *   pipeline decide ID --as WORD --note TEXT --by INITIALS [--date D]
 *                   [--conf F] [--state DIR] [--out DIR] [--wait]
 *   pipeline decide --file F [--date D] [same options]
 *   pipeline exceptions [--open|--decided] [--recon R] [--date D] [--show-cpr]
 *                   [--conf F] [--state DIR] [--out DIR]
 *
 * decide records a decision (store/decisions.h) on an exception of night
 * D (default: the latest night of the run ledger): WORD forklaret,
 * accepteret, afskrevet or genaabnet; who (initials), when (now, UTC),
 * why (the note) and the exception's amount on D (from
 * OUT/D/exceptions/RECON.csv). It applies to D and every later night: a run
 * or rerun of those shows it in the summary (match/recon.h). The id
 * must be one the store knows ("breaks") and stand among D's exceptions.
 * It takes the state lock the stages take, for the moment it writes: a
 * running night makes it exit 75 (or wait, --wait), nothing recorded.
 *
 * --file F: a decisions file (CSV, ';', UTF-8 or Windows-1252, a header
 * with the columns id, decision, note and by in any order; others, such
 * as those `exceptions` prints, are ignored; a row whose decision, note
 * and by are empty is skipped). Every row is checked first; any error is
 * reported as F:LINE:COLUMN (COLUMN the field's number) and nothing is
 * recorded; else all rows are recorded in one transaction.
 *
 * exceptions lists the exceptions of night D (default: the latest night
 * with exceptions/ in OUT) on stdout, UTF-8 with BOM, ';', LF:
 *   id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;state;
 *   decided;decided_by;decided_at;decided_note;decided_amount;review;
 *   decision;note;by
 * state 'decided' (a decision that explains, on tonight's amount) or
 * 'open'; decided..review the decision that applies to D in the store
 * (review beloeb-aendret when its amount is not D's); decision, note and
 * by empty for the clerk to fill and give back to `decide --file`. CPR
 * numbers (and anything CPR-shaped) are masked DDMMYY-xxxx unless
 * --show-cpr and stdout is a terminal (core/cprkey.h cpr_show_full(), as
 * archive search). Read-only: no lock.
 *
 * Exit (README "Commands"): 0 done; 64 usage (exceptions: also a --recon
 * the night does not have); 65 the decisions file has
 * errors (nothing recorded); 66 no night has run (or the night wrote no
 * exceptions/); 67 an unknown exception id (not in the store, or not
 * among the night's exceptions; nothing recorded); 70 internal; 75 a
 * night is running.
 */
#ifndef DECIDE_H
#define DECIDE_H

/*
 * NULL, or why by cannot be a new decision's initials (static text): 2 to
 * 8 letters, A-Z, a-z or a UTF-8 Latin letter such as Æ, Ø, Å, é (U+00C0
 * to U+024F but × and ÷), counted as characters; no digits, blanks or
 * signs. Initials name a clerk to the auditor: "1", "a1" and a whole name
 * are refused. Decisions recorded before this rule keep theirs (the
 * store's own check, store/decisions.h, stays as it was).
 */
const char *decide_initials_bad(const char *by);

/* argv[0] is "decide" / "exceptions". The exit code. */
int cmd_decide(int argc, char **argv);
int cmd_exceptions(int argc, char **argv);

#endif
