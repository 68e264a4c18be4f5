/*
 * strbuf: a growable byte buffer, always NUL-terminated.
 *
 * Ownership: a strbuf owns buf. strbuf_release() frees it and leaves an
 * empty, reusable strbuf; strbuf_detach() hands buf to the caller, who
 * must free() it. A zeroed struct (STRBUF_INIT) is valid and empty.
 * Allocation failure aborts: there is nothing useful to do without memory.
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;	/* NUL-terminated; "" (static) while alloc == 0 */
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Returns the buffer's text; "" for an empty strbuf, never NULL. */
const char *strbuf_str(const struct strbuf *sb);

/* Bounded copy: always terminates dst; returns strlen(src). */
size_t xstrlcpy(char *dst, const char *src, size_t size);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/*
 * Room for n elements of size bytes in p (capacity *alloc, doubled when
 * short): appending one at a time stays linear, whatever realloc does.
 */
void *xgrow(void *p, size_t *alloc, size_t n, size_t size);
char *xstrdup(const char *s);
/* The first n bytes of s (fewer if s ends first), NUL-terminated. */
char *xstrndup(const char *s, size_t n);

#endif
