/*
 * A whole CSV file of the project's own outputs (summary, exceptions) in
 * memory, columns found by their header name, so readers (the report, the
 * archive's search) do not depend on column positions and new columns
 * may follow. Reads through csvin (libcsv). Fine for a night's files;
 * not for the large inputs (those stream through csvin_read()).
 */
#ifndef CSVTABLE_H
#define CSVTABLE_H

#include <stddef.h>
#include <stdio.h>

struct csvtable {
	size_t ncols;
	char **header;
	size_t nrows;
	char ***rows;		/* rows[r][c], every row padded to ncols */
	unsigned long *lines;	/* physical line of each row */
};

/* Reads path (or, when fp is not NULL, the stream, named path in messages).
 * The first row is the header. 0, or -1 reported. */
int csvtable_read(const char *path, FILE *fp, struct csvtable *t);
void csvtable_free(struct csvtable *t);
/* Index of a header name, or -1. */
int csvtable_col(const struct csvtable *t, const char *name);
/* The cell, or "" when col is -1. */
const char *csvtable_get(const struct csvtable *t, size_t row, int col);

/*
 * The same for a file streamed row by row through csvin_read() (the report
 * and the workbook read summaries of any size that way): the index of
 * name among the n header names the caller kept of the first row, or -1;
 * a row's cell, or "" when col is -1 or past the row's end (the pointer
 * is the row's, valid during the callback).
 */
struct csv_row;
int csvhead_col(char *const *head, size_t n, const char *name);
const char *csvrow_get(const struct csv_row *row, int col);

/*
 * The code of a night file's reason cell, "code: dansk / English (...)"
 * (match/recon.h writes it): the text up to the first ':' (all of it when
 * there is none), cut to fit code[size] and NUL-terminated.
 */
void csv_reason_code(const char *reason, char *code, size_t size);

#endif
