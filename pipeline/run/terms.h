/*
 * The clerk's Danish words, one table for the report and the workbook
 * (conf/terms.conf): the Danish name and cell type of every column of the
 * night's summary/, exceptions/ and decisions/ files, the status words,
 * the decision words, and the Danish reason text per exception code. The
 * CSV files stay machine-shaped (English column names, status codes,
 * "code: dansk / English" reasons); only what a person reads is Danish.
 *
 * Grammar (core/conffile.h), one entry a line:
 *   column   FILE NAME "Dansk" TYPE   FILE: summary, exceptions, decisions
 *                                     or * (any); TYPE: text, cpr, amount,
 *                                     date, datetime, integer, status
 *   status   CODE "Dansk"             OK, EXPLAINED, BREAK, MANGLER, ...
 *   decision CODE "Dansk"             forklaret, accepteret, ...
 *   review   CODE "Dansk"             beloeb-aendret
 *   reason   RECON CODE "Dansk"       an exception code's Danish text in
 *                                     reconciliation RECON, or * (any): the
 *                                     same code means different things in
 *                                     different reconciliations
 *   label    NAME "Dansk"             other words a page or sheet shows
 * A second entry for the same thing, an unknown directive or type, or a
 * missing word is an error (path:line).
 *
 * One table per process: terms_load() loads it; the lookups read it. A
 * lookup in a process that loaded none (or of an unlisted code) gives the
 * code itself (a column: its name, type text), never NULL.
 */
#ifndef TERMS_H
#define TERMS_H

#include <stddef.h>

#include "core/strbuf.h"

enum term_type {
	TERM_TEXT,	/* a text cell, as it stands (keys, months, SE, ids) */
	TERM_CPR,	/* a CPR number: text, masked DDMMYY-xxxx unless asked */
	TERM_AMOUNT,	/* Danish decimal comma in the CSV, øre: a number in kroner */
	TERM_DATE,	/* YYYY-MM-DD */
	TERM_DATETIME,	/* YYYY-MM-DDTHH:MM:SSZ */
	TERM_INTEGER,	/* digits */
	TERM_STATUS,	/* a status code in any case ("break"): shown as its status word */
};

struct term_column {
	const char *danish;
	enum term_type type;
};

/* Loads path as the process's table (replacing one loaded before). 0, or
 * -1 reported with path:line. */
int terms_load(const char *path);
/* Frees the process's table; lookups give codes again. */
void terms_unload(void);

/*
 * The column name of file kind ("summary", "exceptions", "decisions"):
 * the entry for that kind, else the entry for "*", else {name, TERM_TEXT}.
 * The strings live until terms_unload().
 */
struct term_column terms_column(const char *file, const char *name);
/* Shorthand: terms_column(file, name).danish. */
const char *terms_column_name(const char *file, const char *name);
const char *terms_status(const char *code);
const char *terms_decision(const char *code);
const char *terms_review(const char *code);
const char *terms_label(const char *name);

/*
 * An exceptions/ reason "code: dansk / English (note)" taken apart: the
 * code (before the first ": ", when that is a lowercase word of letters,
 * digits and '-'), the Danish half (up to the first " / "), and the note
 * (the balanced "(...)" that ends the English half, without parentheses).
 * Lengths 0 for a part that is not there; a text without " / " is all
 * Danish but its ending note. Pointers into s.
 */
struct reason_parts {
	const char *code, *danish, *note;
	size_t code_len, danish_len, note_len;
};
void reason_split(const char *s, struct reason_parts *p);

/*
 * Appends the Danish reason for the clerk to out: the table's text for
 * recon's code (or the "*" entry's), or the Danish half of the CSV text
 * when the code is not in the table; then " (note)" when the CSV text
 * has one.
 */
void terms_reason(const char *recon, const char *csv_reason, struct strbuf *out);

#endif
