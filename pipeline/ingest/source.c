#include "ingest/source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/banned.h"

void listing_add(struct source_listing *l, const char *name, uint64_t size,
		 int64_t mtime, int regular)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = (struct source_entry){ xstrdup(name), size, mtime, regular };
}

void listing_free(struct source_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const struct source_entry *listing_find(const struct source_listing *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fsync_close(int fd)
{
	int rc = fsync(fd), err = errno;
	if (close(fd) && !rc) {
		rc = -1;
		err = errno;
	}
	errno = err;
	return rc ? -1 : 0;
}
