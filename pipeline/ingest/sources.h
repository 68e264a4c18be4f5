/*
 * conf/sources.conf: where the night's drops come from, and the limits of
 * unpacking them. Grammar: core/conffile.h; relative paths are relative to the
 * conf file's directory. A source is a block: its first line names it, the
 * lines after it (until the next 'source') describe it.
 *
 *   retries N          tries per source before it counts as unreachable (5)
 *   timeout SECONDS    deadline of a connect and of every network call (30)
 *   backoff SECONDS    wait before the first retry, doubled each time (2)
 *   source NAME sftp | local
 *     host HOST        sftp: server name or address
 *     port N           sftp: (22)
 *     user USER        sftp: login; public-key authentication only
 *     key FILE         sftp: the private key (no passphrase)
 *     known-hosts FILE sftp: the server's host key must be listed here
 *     dir DIR          the remote (or local) directory holding the drops
 *     into NAME        the landing directory name (ky, eindkomst, erp ...)
 *     after-landing leave | delete | move DIR     (leave)
 *   unpack max-entries N | max-bytes N | max-ratio N   (10000, 4 GiB, 200)
 *
 * Without any 'source', the 'drops' directory of pipeline.conf (or
 * --drops) is the source: each subdirectory lands under its own name.
 */
#ifndef SOURCES_H
#define SOURCES_H

#include <stdint.h>

#include "core/strbuf.h"

enum source_type { SOURCE_LOCAL, SOURCE_SFTP };
enum after_landing { AFTER_LEAVE, AFTER_DELETE, AFTER_MOVE };

struct source_def {
	char *name;
	enum source_type type;
	char *host, *user, *key, *known_hosts;
	int port;
	char *dir, *into;
	enum after_landing after;
	char *move_to;
	unsigned long lineno;	/* of its 'source' line, for messages */
};

struct unpack_limits {
	uint64_t max_entries, max_bytes, max_ratio;
};

struct sources_conf {
	char *path;
	struct source_def *v;
	int n;
	int retries, timeout, backoff;
	struct unpack_limits limits;
};

/* Loads path; a missing file gives the defaults and no source. 0 or -1 (reported). */
int sources_load(const char *path, struct sources_conf *c);
void sources_free(struct sources_conf *c);
/* Adds a local source (the 'drops' default). */
void sources_add_local(struct sources_conf *c, const char *name, const char *dir,
		       const char *into);

/* A name that may become a path component: no '/', no "..", no control
 * characters, not starting with '.', at most 255 bytes; no '@', which
 * ingest/land.h keeps for NAME@FILEID. */
int safe_name(const char *name);
/* name as it may be printed: control characters as '?', at most 200 bytes. */
void printable_name(const char *name, struct strbuf *out);

#endif
