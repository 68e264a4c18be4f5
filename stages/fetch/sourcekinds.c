/* The registry of source kinds: see sourcekinds.h. */
#include "sourcekinds.h"

#include <stddef.h>
#include <string.h>

#include "core/log.h"
#include "source_local.h"
#include "source_sftp.h"
#include "core/banned.h"

static const struct source_kind *const kinds[] = {
	&source_kind_local,
	&source_kind_sftp,
};

const struct source_kind *source_kind_of(enum source_type type)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i]->type == type)
			return kinds[i];
	return NULL;
}

int source_open(struct source *s, const struct source_def *d, int timeout)
{
	const struct source_kind *k = source_kind_of(d->type);
	memset(s, 0, sizeof(*s));
	s->def = d;
	s->timeout = timeout;
	if (!k) {
		log_error("source %s: no such kind of source", d->name);
		return SRC_FAIL;
	}
	return k->open(s);
}
