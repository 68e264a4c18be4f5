/*
 * Segments: how a landed file's rows are written, once, in order.
 *
 * Every load of a file gets a segment number, one more than the highest
 * segment of any row in any store database (8 bytes big-endian), and
 * each row key begins with it (store/store.h). A new segment sorts after
 * every row already there, so the load's rows, sorted, go in with
 * MDB_APPEND: LMDB fills each page once, in sequence, and never touches a
 * page of another file. Loading a file costs the same whatever the store
 * already holds; its pages are full, not half-split. The number depends
 * only on the rows the store holds (no counter): a load killed and
 * removed, then done again, gets the number an uninterrupted run got, so
 * the store is the same bytes as that run's.
 *
 * The rows are sorted before any is written (segsort below): the run
 * buffer holds SEGSORT_RUN_BYTES of rows (or PIPELINE_SORT_BUFFER, a
 * size like 64K, 32M), sorted by a radix sort of a 64-bit key prefix; a
 * file that holds more spills sorted runs to an unlinked temporary file
 * in STATE (each key without the bytes it shares with the row before)
 * and merges them while writing. Memory
 * stays bounded whatever the file size: the buffer, a 64 KiB read buffer
 * per run, and the dirty pages of one write transaction (committed every
 * SEGSORT_TXN_BYTES of rows).
 *
 * The coverage entry of a file (store/store.h "coverage") says which
 * segment holds its rows: its value is
 *     COUNT " " SEGMENT        the rows are visible (COUNT decimal)
 *     "loading " SEGMENT       hidden: being written, or being removed
 * with SEGMENT 16 lowercase hex digits.
 */
#ifndef SEGMENT_H
#define SEGMENT_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "store/store.h"

enum {
	SEGSORT_RUN_BYTES = 16 << 20,	/* rows held in memory before a run spills */
	SEGSORT_TXN_BYTES = 16 << 20,	/* rows written per write transaction */
	COVER_VALUE_MAX = 48,		/* the longest coverage value, bytes */
};

/* The next segment number in txn (above every row's). 0, or -1 reported. */
int segment_next(struct store *st, MDB_txn *txn, uint8_t seg[SEGMENT_LEN]);

/*
 * A coverage value: loading, or count visible rows, in segment seg. Writes
 * at most COVER_VALUE_MAX bytes to out (no NUL); returns the length.
 */
size_t cover_value(int loading, uint64_t count, const uint8_t seg[SEGMENT_LEN], char *out);
/*
 * Parses a coverage value: 0 (*loading, *count and seg set), or -1 when
 * it is not one of the two forms above.
 */
int cover_value_parse(const void *val, size_t len, int *loading, uint64_t *count,
		      uint8_t seg[SEGMENT_LEN]);

/*
 * Sorts a file's rows by (store, key) in bounded memory and writes them as
 * one segment. Keys are given without the segment (store_key_tail()); the
 * writer puts it in front. Usage: segsort_init, segsort_add per row,
 * segsort_write once (or segsort_reset to forget every row added: a file
 * read again), segsort_free.
 */
struct segsort_run {
	uint64_t off, len;	/* in the spill file */
};

/* A row of the buffer: the first 64 bits of its sort key past what all
 * rows share that differ between rows (segment.c set_prefixes). */
struct segsort_ent {
	uint64_t prefix;
	size_t off;		/* in arena */
};

struct segsort {
	const char *tmpdir;	/* where the spill file goes (STATE) */
	size_t run_bytes;	/* the buffer's size */
	struct strbuf arena;	/* rows: u16 store, u16 klen, u32 vlen, key, value */
	struct segsort_ent *idx;	/* the rows in arena, sorted at spill */
	size_t n, cap;
	size_t common;		/* bytes of (store, key) every row in arena shares */
	int fd;			/* the spill file, -1 none yet */
	uint64_t spilled;	/* bytes in it */
	struct segsort_run *runs;
	size_t nruns, aruns;
	uint64_t rows;		/* rows added since init or reset */
	struct strbuf key;	/* a key being written: segment + tail */
};

/* PIPELINE_SORT_BUFFER, when set, replaces run_bytes (at least 4K; else
 * it is reported and run_bytes kept). */
void segsort_init(struct segsort *s, const char *tmpdir, size_t run_bytes);
/* Adds a row of store (an index into cat->stores). 0, or -1 reported (spill). */
int segsort_add(struct segsort *s, int store, const uint8_t *key, size_t klen,
		const void *val, size_t vlen);
void segsort_reset(struct segsort *s);
void segsort_free(struct segsort *s);

/*
 * Called in the first write transaction, after the segment is taken and
 * before any row is written: the place to hide the rows ("loading"
 * coverage entries naming seg), so a run killed half-way leaves only
 * hidden rows. 0, or -1 (the transaction is aborted).
 */
typedef int (*segsort_first_fn)(MDB_txn *txn, const uint8_t seg[SEGMENT_LEN], void *data);

/*
 * Writes every row added, in (store, key) order, under a new segment
 * (*seg): MDB_APPEND, a commit each SEGSORT_TXN_BYTES. No rows: nothing is
 * written and *seg is zero. 0, or -1 reported (what was committed stays
 * hidden under first's entries). The rows are forgotten after.
 *
 * reuse, when not NULL, is the segment the same file's rows had before
 * they were removed (a rerun): the rows go there again, so a store
 * rerun, or killed and run again, holds the bytes an uninterrupted run
 * leaves (appended when it is still the top segment, else put in order
 * into its empty range). A reuse some row still holds (another file
 * took the number since) is not used: a new segment is taken.
 */
int segsort_write(struct segsort *s, struct store *st, segsort_first_fn first,
		  void *data, const uint8_t *reuse, uint8_t seg[SEGMENT_LEN]);

/*
 * The sorter without the store: regrouping rows in bounded memory (a
 * matcher's postings by recipient). Calls fn with every row added, in
 * (store, key) order (rows of equal sort keys in no set order: end a key
 * with a sequence number to keep them as added); the pointers are valid
 * during the call only. 0, fn's non-zero return (it stops the merge), or
 * -1 reported (the spill file). The rows are forgotten after.
 */
typedef int (*segsort_row_fn)(int store, const uint8_t *key, size_t klen, const void *val,
			      size_t vlen, void *data);
int segsort_each(struct segsort *s, segsort_row_fn fn, void *data);

/*
 * Building a sorter row's key or value, and reading it back in
 * segsort_each's callback (match-nemkonto, match-faktura). A text is its
 * bytes and a NUL (it holds none; a shorter text sorts first); an
 * unsigned integer is `bytes` (1..8) bytes big-endian, so bytewise order
 * is numeric order (a caller flips a signed value's top bit first).
 * segrow_next_str and segrow_get_be read at *p and move *p past what they
 * read; the text returned points into the row (valid while it is).
 */
void segrow_put_str(struct strbuf *b, const char *s);
void segrow_put_be(struct strbuf *b, uint64_t v, int bytes);
const char *segrow_next_str(const char **p);
uint64_t segrow_get_be(const char **p, int bytes);

#endif
