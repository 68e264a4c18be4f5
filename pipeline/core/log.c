#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/cprkey.h"
#include "core/strbuf.h"
#include "core/banned.h"

static const char *prog = "pipeline";
static int input_muted;
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

/*
 * Prints "prog: " head and the message with every CPR-shaped run masked
 * (core/cprkey.h): a message may carry input text (a cell, a file name
 * such as KY_Udbetaling_0101854321.csv), and none may show a CPR number.
 */
static void emit(const char *head, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT, out = STRBUF_INIT;
	strbuf_addstr(&msg, head);
	strbuf_vaddf(&msg, fmt, ap);
	cpr_mask_text(msg.buf, msg.len, &out);
	fprintf(stderr, "%s: %s\n", prog, strbuf_str(&out));
	strbuf_release(&msg);
	strbuf_release(&out);
}

static void vlog(const char *fmt, va_list ap)
{
	emit("", fmt, ap);
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
	struct strbuf head = STRBUF_INIT;
	if (input_muted)
		return;
	strbuf_addstr(&head, file);
	if (line)
		strbuf_addf(&head, ":%lu", line);
	if (line && col)
		strbuf_addf(&head, ":%u", col);
	strbuf_addstr(&head, ": ");
	va_start(ap, fmt);
	emit(head.buf, fmt, ap);
	va_end(ap);
	strbuf_release(&head);
}

int log_input_mute(int on)
{
	int was = input_muted;
	input_muted = on;
	return was;
}
