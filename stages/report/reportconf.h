/*
 * conf/report.conf: how the night's report names each reconciliation's
 * columns, so a new match-* stage shows up in the report without a code
 * change (a recon not listed gets the default labels). Grammar: core/conffile.h.
 *
 *   trend-nights N       nights in the trend chart (default 30)
 *   recon NAME [title T] [figure F] [key K] [left L] [right R] [explained E]
 *                        labels for summary/NAME.csv, as the KY guide
 *                        names them ("figure" cites the guide's figure)
 */
#ifndef REPORTCONF_H
#define REPORTCONF_H

struct recon_labels {
	char *recon;
	char *title, *figure, *key, *left, *right, *explained;
};

struct report_conf {
	int trend_nights;
	struct recon_labels *v;
	int n;
	struct recon_labels fallback;	/* labels of a recon not listed */
};

/* A missing file gives the defaults. 0, or -1 reported (file:line). */
int report_conf_load(const char *path, struct report_conf *rc);
void report_conf_free(struct report_conf *rc);
/* The labels of recon: listed ones, else the defaults with title = recon. */
const struct recon_labels *report_labels(const struct report_conf *rc, const char *recon);

#endif
