#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/banned.h"

static const char *prog = "pipeline";
static int level = 1;

void log_init(const char *name)
{
	prog = name;
}

const char *log_prog(void)
{
	return prog;
}

void log_set_level(int l)
{
	level = l;
}

int log_level(void)
{
	return level;
}

static void vlog(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	if (level < 1)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_verbose(const char *fmt, ...)
{
	va_list ap;
	if (level < 2)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_input(const char *file, unsigned long line, unsigned col,
	       const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: %s", prog, file);
	if (line)
		fprintf(stderr, ":%lu", line);
	if (line && col)
		fprintf(stderr, ":%u", col);
	fputs(": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
