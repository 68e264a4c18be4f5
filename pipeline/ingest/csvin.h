/*
 * Streaming CSV input on libcsv: one callback per row with the physical
 * line it starts on, fields already in UTF-8. Memory is bounded by the
 * longest row (CSVIN_MAX_ROW), whatever the file size.
 *
 * Lines: LF, CRLF and a lone CR each end a physical line, in any mix (a
 * file saved by Excel for Mac ends its lines with CR). A row's line is
 * the physical line it starts on; a quoted field may span lines. Blank
 * lines are no rows.
 *
 * Encoding, decided on the whole file without a second pass where none is
 * needed: a UTF-8 byte-order mark means UTF-8 (and is dropped); a UTF-16
 * one refuses the file. Under CSVIN_AUTO the file is read as UTF-8 until
 * a line is not valid UTF-8: if every line before was ASCII, the file is
 * Windows-1252 from there on (both read ASCII alike, nothing is read
 * again); if rows holding non-ASCII UTF-8 were already passed on, the
 * reader calls opts->restart (the consumer forgets those rows) and reads
 * the file again from the start as Windows-1252. Fields of a UTF-8 file
 * are not validated here (the schema layer rejects bad rows).
 *
 * A row that cannot be split (a '"' inside a field that does not start
 * with one, text after a closing '"', a quoted field never closed, a NUL
 * byte, a row longer than CSVIN_MAX_ROW) is passed on as an error row
 * (row->error set, no fields) at the physical line it starts on, and
 * reading goes on at the next physical line: the bad row alone is lost,
 * never the rest of the file. With opts->error_rows 0 such a row is
 * reported as FILE:LINE and ends the read instead (-1).
 */
#ifndef CSVIN_H
#define CSVIN_H

#include <stddef.h>
#include <stdio.h>

enum csvin_encoding { CSVIN_AUTO, CSVIN_UTF8, CSVIN_CP1252 };

/* The longest row (its physical lines, bytes): past it the row is an error. */
enum { CSVIN_MAX_ROW = 1 << 20 };

struct csv_field {
	const char *ptr;	/* NUL-terminated copy, valid during the callback */
	size_t len;
};

struct csv_row {
	unsigned long line;	/* physical line where the row starts, 1-based */
	size_t nfields;
	const struct csv_field *fields;
	const char *error;	/* NULL, or why the row could not be split (static) */
	const char *raw;	/* the row's text as read, in UTF-8, without its */
	size_t rawlen;		/* last line end (an error row: its first line) */
};

typedef int (*csvin_row_fn)(const struct csv_row *row, void *data);
/* Forget every row passed on so far: the file is read again (0, or stop). */
typedef int (*csvin_restart_fn)(void *data);

struct csvin_opts {
	char delimiter;		/* ';' by default */
	enum csvin_encoding encoding;
	int error_rows;		/* pass rows that cannot be split on (see above) */
	int quotes_are_text;	/* '"' is a character: list exports that never quote */
	csvin_restart_fn restart;	/* see above; NULL: a late non-UTF-8 line is an error */
};

/*
 * Reads path and calls fn per row; stops when fn returns nonzero and
 * returns that value. -1 when the file cannot be read, is UTF-16, mixes
 * encodings without opts->restart, or (error_rows 0) has a row that
 * cannot be split: reported as path[:line]. *used_encoding tells what
 * was read (CSVIN_UTF8 for a file of ASCII only).
 */
int csvin_read(const char *path, const struct csvin_opts *opts,
	       csvin_row_fn fn, void *data, enum csvin_encoding *used_encoding);

/* The same on an open stream; path names it in messages. The stream must
 * be seekable when opts->restart is set (the second read). */
int csvin_read_fp(FILE *f, const char *path, const struct csvin_opts *opts,
		  csvin_row_fn fn, void *data, enum csvin_encoding *used_encoding);

/* 1 when s[0..len) is valid UTF-8. */
int utf8_valid(const char *s, size_t len);

#endif
