/*
 * conf/pipeline.conf: where things are, which schema reads which landed
 * file, and the night's stages. Grammar: conffile.h. Relative paths are
 * relative to the directory of the conf file (options: to the working one).
 *
 *   drops DIR | state DIR | out DIR | schemas DIR | months-back N
 *   input DIR/PATTERN SCHEMA   PATTERN: text with {se} (8 digits),
 *                              {date} (YYYYMMDD), {month} (YYYYMM),
 *                              {word} (letters, digits, - and _)
 *   stage NAME [after STAGE...]
 */
#ifndef CONF_H
#define CONF_H

#include <stdint.h>

enum { MAX_AFTER = 8 };

struct input_rule {
	char *pattern;		/* "ky/KY_SumEindkomst_{se}_{date}.csv" */
	char *schema;
};

struct stage_rule {
	char *name;
	int nafter;
	char *after[MAX_AFTER];
};

struct pipeline_conf {
	char *path;
	char *drops, *state, *out, *schemas;
	int months_back;
	struct input_rule *inputs;
	int ninputs;
	struct stage_rule *stages;
	int nstages;
	char digest[65];
};

int pipeline_conf_load(const char *path, struct pipeline_conf *c);
void pipeline_conf_free(struct pipeline_conf *c);
const struct stage_rule *conf_stage(const struct pipeline_conf *c, const char *name);

/* What a file name told: empty strings when the pattern has no such part. */
struct name_match {
	char se[9];
	int32_t date;		/* YYYYMMDD; a {month} gives its first day */
	int32_t month;		/* YYYYMM from {month} or {date} */
};

/* The first input rule whose pattern matches relpath, or NULL. */
const struct input_rule *conf_match_input(const struct pipeline_conf *c,
					  const char *relpath, struct name_match *m);
int pattern_match(const char *pattern, const char *name, struct name_match *m);

#endif
