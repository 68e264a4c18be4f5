/*
 * rejected/DIR-NAME.csv of one landed file: every row of it not loaded,
 * "file;line;column;reason;row", written as the rows come (a file refused
 * whole is listed row by row in bounded memory), to a temporary name and
 * renamed when the file is done (core/atomicfile.h). Created on its first
 * row; a file without rejected rows has none, and what an earlier run
 * wrote for it is removed.
 */
#ifndef REJECTS_H
#define REJECTS_H

#include "core/atomicfile.h"
#include "core/digest.h"
#include "core/strbuf.h"

struct rejects {
	char *path;		/* OUT/DATE/rejected/DIR-NAME.csv */
	char *relpath;		/* the file column */
	struct atomic_file af;
	int open;
	struct digest_ctx *d;	/* of the bytes written */
	unsigned long n;	/* rows written */
};

/* path: where the file goes; relpath: the landed file's name (copied). */
void rejects_init(struct rejects *r, const char *path, const char *relpath);
/* One row: its physical line, column (0: none), reason and text. 0 or -1. */
int rejects_add(struct rejects *r, unsigned long line, unsigned col, const char *why,
		const char *row, size_t rowlen);
/*
 * The same with the column as text ("" none): an XML row's column is the
 * XPath its schema names, its row the row element's node path.
 */
int rejects_add_text(struct rejects *r, unsigned long line, const char *column,
		     const char *why, const char *row, size_t rowlen);
/* Forgets every row written so far (the file is read again). */
void rejects_discard(struct rejects *r);
/*
 * Renames the file into place, its SHA-256 in hex; without rows, removes
 * an earlier run's file, hex "". Rows added after start a new file. 0 or
 * -1 (reported).
 */
int rejects_finish(struct rejects *r, char hex[DIGEST_HEXSZ]);
void rejects_free(struct rejects *r);

/* OUT/DATE/rejected/DIR-NAME.csv for a relpath DIR/NAME (".csv" added if missing). */
void rejects_path(const char *outdir, const char *relpath, struct strbuf *out);

#endif
