/*
 * conf/opkraevning.conf: what the opkraevning checks (seed 003) need to
 * know beyond the export. Grammar: core/conffile.h; every directive is
 * optional and may be given once (the default in brackets):
 *
 *   central-type berettiget NAME       [Skhber] entitled boarding fee (rule 7: J)
 *   central-type ikke-berettiget NAME  [Skhejb] boarding fee for the not entitled (N)
 *   central-type individuelt NAME      ["Individuelt gebyr"] (rule 2)
 *   job elevbetalinger NAME            [D438] the job that may not charge individual fees
 *   job individuelle NAME              [D638] the job that charges them
 *   adult-age N                        [18] rule 6, years at the quarter's start
 *   lookahead-days N                   [30] fees due up to night + N days are checked
 *   months-back N                      [1] ... from the 1st of the month N before the night's
 *   ns-booking-days N                  [10] rule 14: days a charge may wait for NS
 *
 * Numbers are 0..3650. Errors are reported as path:line: message.
 */
#ifndef OPKCONF_H
#define OPKCONF_H

enum { OPK_NAME_MAX = 64 };

struct opk_conf {
	char berettiget[OPK_NAME_MAX], ikke_berettiget[OPK_NAME_MAX];
	char individuelt[OPK_NAME_MAX];
	char job_elevbetalinger[OPK_NAME_MAX], job_individuelle[OPK_NAME_MAX];
	int adult_age, lookahead_days, months_back, ns_booking_days;
};

/* The defaults above. */
void opk_conf_default(struct opk_conf *c);
/* Loads path over the defaults; 0, or -1 reported (path:line). */
int opk_conf_load(const char *path, struct opk_conf *c);

#endif
