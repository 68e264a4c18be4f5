/*
 * Streaming CSV input on libcsv: one callback per row with its physical
 * line number, fields already in UTF-8. Memory is bounded by the longest
 * row, whatever the file size.
 *
 * Encoding: a UTF-8 byte-order mark is dropped; CSVIN_AUTO takes UTF-8 when
 * the first 64 KiB are valid UTF-8 and Windows-1252 otherwise. Fields of a
 * UTF-8 file are not validated here (the schema layer rejects bad rows).
 */
#ifndef CSVIN_H
#define CSVIN_H

#include <stddef.h>
#include <stdio.h>

enum csvin_encoding { CSVIN_AUTO, CSVIN_UTF8, CSVIN_CP1252 };

struct csv_field {
	const char *ptr;	/* NUL-terminated copy, valid during the callback */
	size_t len;
};

struct csv_row {
	unsigned long line;	/* physical line where the row starts, 1-based */
	size_t nfields;
	const struct csv_field *fields;
};

struct csvin_opts {
	char delimiter;		/* ';' by default */
	enum csvin_encoding encoding;
};

typedef int (*csvin_row_fn)(const struct csv_row *row, void *data);

/*
 * Reads path and calls fn per row; stops when fn returns nonzero and
 * returns that value. A file that cannot be read or a CSV syntax error
 * (an unterminated quote, a quote inside an unquoted field) is reported
 * as path:line and returns -1. *used_encoding tells what was read.
 */
int csvin_read(const char *path, const struct csvin_opts *opts,
	       csvin_row_fn fn, void *data, enum csvin_encoding *used_encoding);

/* The same on an open stream (an archive member via fmemopen); path names
 * it in messages. The stream must be seekable (encoding detection). */
int csvin_read_fp(FILE *f, const char *path, const struct csvin_opts *opts,
		  csvin_row_fn fn, void *data, enum csvin_encoding *used_encoding);

/* 1 when s[0..len) is valid UTF-8. */
int utf8_valid(const char *s, size_t len);

#endif
