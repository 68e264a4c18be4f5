/*
 * Messages to stderr in err(3) style: "prog: message". Input errors name
 * the place: "prog: FILE:LINE:COL: message". Every message is printed with
 * its CPR-shaped runs masked DDMMYY-xxxx (core/cprkey.h cpr_mask_text()):
 * input text (a cell, a file name) may be passed as it is.
 */
#ifndef LOG_H
#define LOG_H

void log_init(const char *prog);
const char *log_prog(void);
/* 0 quiet (errors only), 1 normal (one line per stage), 2 verbose */
void log_set_level(int level);
int log_level(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* file:line:col: message; line or col 0 are left out */
void log_input(const char *file, unsigned long line, unsigned col,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * While on, log_input() prints nothing: a second pass over a file whose
 * problems the first pass reported (each message once). Returns the
 * previous setting.
 */
int log_input_mute(int on);

#endif
