/*
 * conf/workbook.conf: how bin/stage-workbook writes OUT/DATE/afstemning.xlsx.
 * Grammar (core/conffile.h):
 *   cpr masked|full   CPR numbers (and CPR-shaped runs in any text cell)
 *                     as DDMMYY-xxxx, or as they stand; default masked
 * A missing file is the defaults; an unknown directive, a second 'cpr' or
 * another word is refused with path:line.
 */
#ifndef WB_CONF_H
#define WB_CONF_H

struct wb_conf {
	int mask_cpr;	/* 1 masked (the default), 0 full */
};

/* 0, or -1 reported with path:line. */
int wb_conf_load(const char *path, struct wb_conf *c);

#endif
