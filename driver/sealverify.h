/* bin/pipeline archive verify: every link of the chain and every file (format: pipeline/archive/sealed.h). */
#ifndef SEALVERIFY_H
#define SEALVERIFY_H

#include <stdint.h>

#include "core/strbuf.h"
#include "archive/archiveconf.h"
#include "archive/sealed.h"

/* The nights verify accepted without files (retired by retention). */
struct verify_retired {
	unsigned long n;
	char first[11], last[11];
};

/* verify: 0 every link holds, 1 broken (msg names the first broken link). */
int archive_verify(const struct archive_conf *ac, int32_t from, int32_t to,
		   const char *anchor, struct strbuf *msg, struct verify_retired *ret);

/* The retention cutoff the sealed manifests give: of the anchored record
 * when anchor is set, else of the newest; 0 when it cannot be read. */
int32_t sealed_cutoff(const char *dir, const struct chain *ch, const char *anchor);

/* One night's files against its seal record: 0, or 1 with msg set. */
int archive_verify_night(const char *dir, const struct seal_rec *r, struct strbuf *msg);

#endif
