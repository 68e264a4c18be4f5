/*
 * conf/betalingsplaner.conf and the two tables it names, for
 * match-betalingsplaner (grammar core/conffile.h; errors file:line):
 *
 *   scope-ean EAN...            robot EANs: an invoice there that no plan
 *                               takes is an exception, elsewhere out of scope
 *   cpr-places PLACE...         line-note line-item-name
 *                               line-item-description header-note order-ref
 *   takster FILE                takst TYPE FROM-DATE MIN MAX (the row with
 *                               the latest FROM-DATE on or before IssueDate)
 *   udlejere FILE               udlejer CVR ["NAME"]: landlords approved
 *                               under aktivloven § 90 (a '*' HUSLEJE plan)
 *   warn-plan-days N            plan-udloeber window (30)
 *   amount-basis payable|net    what rules 9, 11, 13 read (payable)
 *   sum-tolerance KR            per equation of rule 5 (0,01)
 *   credit-notes hold|post      hold: kreditnota (hold)
 *   history-months N            how far back invoices are read (36)
 *   kadence-stop-perioder N     a tenant's rent stops being expected (3)
 *   suggest min-invoices N max-cv-pct N window-months N slack-days N margin-pct N
 *
 * FILEs are relative to the conf file's directory. Every directive at
 * most once; an unknown one, a bad value: reported, -1.
 */
#ifndef BPCONF_H
#define BPCONF_H

#include "bprules.h"

/* Loads path (and its tables) into c (defaults first). 0 or -1 (reported). */
int bp_conf_load(const char *path, struct bp_conf *c);

#endif
