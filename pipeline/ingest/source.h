/*
 * A source of drops, whatever its transport: list a directory, read a file
 * from an offset, and put a landed file away. source_local.c reads a local
 * directory, source_sftp.c an SFTP server (libssh2), sourcekinds.c lists
 * the kinds: fetch's, in stages/fetch/. fetch lands the files the same
 * way for both.
 *
 * Results: SRC_OK; SRC_DOWN when the connection failed or broke (worth
 * another try after a pause); SRC_FAIL when trying again cannot help (a
 * refused host key, a failed login, a missing directory, a local write).
 * Every failure is reported where it happens.
 */
#ifndef SOURCE_H
#define SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/sources.h"

enum { SRC_OK = 0, SRC_DOWN = 1, SRC_FAIL = -1 };

struct source_entry {
	char *name;
	uint64_t size;
	int64_t mtime;
	int regular;
};

struct source_listing {
	struct source_entry *v;
	size_t n;
	unsigned long refused;	/* names the kind refused itself (reported) */
};

struct source {
	const struct source_def *def;
	char hostkey[64];	/* "SHA256:..." of the server's key, "-" for local */
	int timeout;		/* seconds */
	void *impl;
	int (*list)(struct source *s, struct source_listing *out);
	/* Appends the file's bytes from offset on to fd; *got counts them. Stops
	 * once *got passes want (the listed size less offset): a file longer
	 * than listed is not read to its end, whatever its end is. */
	int (*read)(struct source *s, const char *name, uint64_t offset, uint64_t want,
		    int fd, uint64_t *got);
	/* after-landing: leave, delete or move name (and its marker). */
	int (*after)(struct source *s, const char *name);
	void (*close)(struct source *s);
};

/*
 * A kind of source: its sources.conf word and type, and how to open one.
 * Each kind's file defines its kind (stages/fetch/source_local.c,
 * source_sftp.c); the registry, stages/fetch/sourcekinds.c, lists them and
 * opens a source by its type (source_open()). open() finds s->def and
 * s->timeout set and fills the rest of s; on failure s is closed.
 */
struct source_kind {
	const char *name;
	enum source_type type;
	int (*open)(struct source *s);
};

void listing_add(struct source_listing *l, const char *name, uint64_t size,
		 int64_t mtime, int regular);
void listing_free(struct source_listing *l);
/* The entry called name, or NULL. */
const struct source_entry *listing_find(const struct source_listing *l, const char *name);

/* Writes all of buf to fd; 0, or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);
/* fsync then close, closed either way; 0, or -1 with the first error's errno. */
int fsync_close(int fd);

#endif
