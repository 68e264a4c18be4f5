/* Sealing one night into the archive (format: pipeline/archive/sealed.h). */
#ifndef SEALNIGHT_H
#define SEALNIGHT_H

#include <stddef.h>

#include "core/digest.h"
#include "run/stage.h"
#include "archive/archiveconf.h"

struct seal_result {
	int sealed;		/* 0: the same outputs were sealed already */
	char base[32];
	char seal[DIGEST_HEXSZ];
	size_t members;
	unsigned long retired;
};

/* Seals ctx's night into the archive, then applies retention. 0, 1 the
 * night is refused (after today, or it never ran: reported), or -1. */
int archive_seal(struct stage_ctx *ctx, const struct archive_conf *ac,
		 struct seal_result *res);

#endif
