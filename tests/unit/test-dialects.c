/*
 * The ERP dialects and the reports of skat-afregning, ky-finans and ky-yr
 * read through the real schemas (schemas/): KMD Opus list exports (title
 * lines, blocks, tab, Windows-1252, trailing minus), ØS Indsigt, SKAT's
 * tax account; and the loaders of conf/ky-finans.conf and conf/ky-yr.conf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stages/match-ky-finans/kyfinans.h"
#include "stages/match-ky-yr/kyyr.h"
#include "stages/normalise/schema.h"
#include "test.h"

enum { MAXREC = 64 };

struct got {
	const struct schema *s;
	int header_seen, bind_failed;
	int nrec, nbad;
	unsigned badcol[8];
	unsigned long badline[8];
	long long amount[MAXREC];
	char text[MAXREC][64];	/* the field named by 'want' */
	int want;
};

static int on_record(const struct record *r, unsigned sub, void *data)
{
	struct got *g = data;
	const struct value *v = &r->v[g->want];
	(void)sub;
	if (g->nrec == MAXREC)
		return 1;
	g->amount[g->nrec] = r->v[g->s->amount_field].num;
	snprintf(g->text[g->nrec], sizeof(g->text[0]), "%.*s", v->present ? (int)v->len : 0,
		 v->present ? v->text : "");
	g->nrec++;
	return 0;
}

/* What normalise does with a row: header (after title lines), then data. */
static int on_row(const struct csv_row *row, void *data)
{
	struct got *g = data;
	struct record base;
	struct strbuf why = STRBUF_INIT;
	unsigned col = 0;
	if (!g->header_seen) {
		if (!schema_is_header(g->s, row))
			return 0;
		g->header_seen = 1;
		g->bind_failed = schema_bind((struct schema *)g->s, row, "test") != 0;
		return 0;
	}
	/* The SE number comes from the file name or the input line. */
	memset(&base, 0, sizeof(base));
	base.v[catalog_field(g->s->cat, "se")] = (struct value){ 1, 0, "29757895", 8 };
	base.v[catalog_field(g->s->cat, "month")] = (struct value){ 1, 202101, NULL, 0 };
	if (schema_row(g->s, row, &base, on_record, g, &col, &why) == -1 && g->nbad < 8) {
		g->badcol[g->nbad] = col;
		g->badline[g->nbad++] = row->line;
	}
	strbuf_release(&why);
	return 0;
}


static void read_with(const struct catalog *cat, const char *schema, const char *file,
		      const char *field, struct got *g)
{
	static struct schema s;
	struct csvin_opts o;
	memset(g, 0, sizeof(*g));
	memset(&o, 0, sizeof(o));
	schema_free(&s);
	if (schema_load(cat, schema, &s)) {
		CHECK(0, "%s loads", schema);
		return;
	}
	g->s = &s;
	g->want = catalog_field(cat, field);
	o.delimiter = s.delimiter;
	o.encoding = s.encoding;
	o.quotes_are_text = s.quotes_are_text;
	o.error_rows = 1;
	csvin_read(file, &o, on_row, g, NULL);
}

/* A KMD Opus posting list: Windows-1252, tab, CRLF. */
static const char opus[] =
	"KMD Opus \xd8konomi\r\n"
	"Posteringsliste - finanskonti\r\n"
	"Periode 01-02-2021 - 28-02-2021\r\n"
	"\r\n"
	"Bogf.dato\tBilagsnr.\tKontonr.\tTekst\tBel\xf8" "b\tBruger\tCPR/CVR-nr.\tKladde\r\n"
	"01-02-2021\tKY-1\t8.52.59.001\tHens\xe6ttelse Skat\t319.999,00-\tKY\t\t\r\n"
	"01-02-2021\tKY-1\t8.52.59.001\tRegulering\t8.540,00\tKY\t\t\r\n"
	"I alt\t\t8.52.59.001\t\t311.459,00-\t\t\t\r\n"
	"\r\n"
	" Bogf.dato \tBilagsnr.\tKontonr.\tTekst\tBel\xf8" "b\tBruger\tCPR/CVR-nr.\tKladde\r\n"
	"03-02-2021\tAFR-2\t8.52.59.113\tAfregning OP-bidrag 4. kvt \"rettet\"\t7.334,00\tbmn\t\t\r\n"
	"03-02-2021\tAFR-3\t8.52.59.113\tATP\t7.334,00--\tbmn\t\t\r\n"
	"I alt\t\t8.52.59.113\t\t7.334,00\t\t\t\r\n";

static void test_opus(const struct catalog *cat)
{
	const char *p = test_text_file(opus);
	struct got g;
	read_with(cat, "schemas/erp-opus-posteringer.schema", p, "text", &g);
	CHECK(g.header_seen && !g.bind_failed, "the header after the title lines binds");
	CHECK(g.nrec == 3, "three postings, no title, total or repeated header (got %d)", g.nrec);
	CHECK(g.amount[0] == -31999900, "trailing minus: 319.999,00- (got %lld)", g.amount[0]);
	CHECK(g.amount[1] == 854000 && g.amount[2] == 733400, "plain amounts");
	CHECK(!strcmp(g.text[0], "Hens\xc3\xa6ttelse Skat"), "Windows-1252 text is UTF-8 ('%s')",
	      g.text[0]);
	CHECK(!strcmp(g.text[2], "Afregning OP-bidrag 4. kvt \"rettet\""),
	      "Opus never quotes: a '\"' in a text is a character ('%s')", g.text[2]);
	CHECK(g.nbad == 1 && g.badline[0] == 12 && g.badcol[0] == 5,
	      "7.334,00-- rejected at line 12 column 5 (got %d at %lu:%u)", g.nbad,
	      g.nbad ? g.badline[0] : 0, g.nbad ? g.badcol[0] : 0);
	remove(p);
}

static void test_oesindsigt(const struct catalog *cat)
{
	const char *p = test_text_file("Bogf\xc3\xb8ringsdato;Bilagsnummer;Artskonto;Posteringstekst;"
				   "Debet;Kredit;CPR/CVR;Bruger\n"
				   "29-01-2021;KY-1;5.57.73.001;Kontanthj\xc3\xa6lp;1.000,00;;;KY\n"
				   "29-01-2021;KY-1;8.52.59.005;Kontanthj\xc3\xa6lp;;-1.000,00;;KY\n"
				   "29-01-2021;KY-2;8.52.59.005;x;;8.540,00-;;KY\n"
				   "29-01-2021;KY-3;8.52.59.005;x;;8.540,00;;KY\n"
				   "29-01-2021;KY-3;8.52.59.005;x;-1,00;;;KY\n");
	struct got g;
	read_with(cat, "schemas/erp-oesindsigt-posteringer.schema", p, "account", &g);
	CHECK(g.nrec == 2 && g.amount[0] == 100000 && g.amount[1] == -100000 &&
	      !strcmp(g.text[1], "8.52.59.005"), "Debet and Kredit cells are postings");
	CHECK(g.nbad == 3 && g.badcol[0] == 6 && g.badline[0] == 4, "no trailing minus outside Opus");
	CHECK(g.nbad == 3 && g.badcol[1] == 6 && g.badline[1] == 5, "a positive Kredit is refused");
	CHECK(g.nbad == 3 && g.badcol[2] == 5 && g.badline[2] == 6, "a negative Debet is refused");
	remove(p);
}

static void test_skattekonto(const struct catalog *cat)
{
	const char *p = test_text_file("Dato;Postering;A-skat mindre virksomheder;A-skat mindre "
				   "virksomheder (Efterangivelse);Udbetaling;Indbetaling;"
				   "Rykkergebyr;Rente;Saldo\n"
				   "Startsaldo;;;;;;;;56.740,14\n"
				   "31-01-2021;Rente;;;;;;-126,03;3.576.464,97\n"
				   "Slutsaldo;;;;;;;;-126,03\n");
	struct got g;
	read_with(cat, "schemas/skat-skattekonto.schema", p, "kind", &g);
	CHECK(g.nbad == 0, "Startsaldo and Slutsaldo are no data (got %d bad)", g.nbad);
	CHECK(g.nrec == 2 && !strcmp(g.text[0], "rente") && g.amount[0] == -12603 &&
	      !strcmp(g.text[1], "saldo"), "each cell keeps its kind ('%s', '%s')", g.text[0],
	      g.text[1]);
	remove(p);
}

static void test_sumfinans(const struct catalog *cat)
{
	const char *p = test_text_file("Bogf\xc3\xb8ringsdato_Maaned;Konto;Detaljeringskonto;Debet;"
				   "Kredit;Sum\n"
				   "01-2021;Uddannelseshjaelp;;12.914;4.558.207;-4.545.293\n");
	struct got g;
	read_with(cat, "schemas/ky-sumfinans.schema", p, "side", &g);
	CHECK(g.nrec == 2 && !strcmp(g.text[0], "D") && g.amount[0] == 1291400 &&
	      !strcmp(g.text[1], "K") && g.amount[1] == 455820700, "Debet is D, Kredit is K");
	remove(p);
}

/* An ERP recipient written DDMMYY-SSSS is the 10 digits (cpr-digits); a
 * CVR number or a name stays as written. */
static void test_recipient_cpr(const struct catalog *cat)
{
	const char *p = test_text_file("Oprettet af;Bilag;Dato;Finanskonto;Beskrivelse;Valuta;"
				   "Bel\xc3\xb8" "b;Ydelsesmodtager\n"
				   "KY;B-1;03-02-2021;952599065;x;DKK;1,00;010185-4321\n"
				   "KY;B-2;03-02-2021;952599065;x;DKK;1,00;0101854321\n"
				   "KY;B-3;03-02-2021;952599065;x;DKK;1,00;12345678\n");
	struct got g;
	read_with(cat, "schemas/erp-prisme-posteringer.schema", p, "recipient", &g);
	CHECK(g.nrec == 3 && g.nbad == 0, "three postings (got %d, %d bad)", g.nrec, g.nbad);
	CHECK(!strcmp(g.text[0], "0101854321") && !strcmp(g.text[1], "0101854321"),
	      "both CPR forms are one recipient ('%s', '%s')", g.text[0], g.text[1]);
	CHECK(!strcmp(g.text[2], "12345678"), "a CVR number stays ('%s')", g.text[2]);
	remove(p);
}

/* SKAT's PERSUM: a 9-digit CPR gets its 0 back, ',00' and '1278002,64' read. */
static void test_persum(const struct catalog *cat)
{
	const char *p = test_text_file("0000000;I-SE-nr;P-SE-nr;CPR-nr;Navn;Per-start;Per-slut;"
				   "Feltnr 0014;Feltnr 0015\r\n"
				   "0000001;29757895;29757895;101854321;S\xf8ren;202102;202102;"
				   ",64;1278002,64\r\n");	/* the trailer: t0280 */
	struct got g;
	read_with(cat, "schemas/skat-persum.schema", p, "cpr", &g);
	CHECK(g.nrec == 2 && g.nbad == 0, "two amounts (got %d, %d bad)", g.nrec, g.nbad);
	CHECK(!strcmp(g.text[0], "0101854321"), "the 9-digit CPR is padded ('%s')", g.text[0]);
	CHECK(g.amount[0] == 64 && g.amount[1] == 127800264, ",64 and 1278002,64 (%lld, %lld)",
	      g.amount[0], g.amount[1]);
	remove(p);
}

/* A skip-row rule on a column the header lacks: the file does not bind. */
static void test_skip_column_missing(const struct catalog *cat)
{
	char schema[64];
	const char *p = test_text_file("store erp.posting\nskip-row Note \"I alt\"\n"
				   "column Dato day required\n"
				   "column Dato month required month-of-date\n"
				   "column Bilag bilag required\ncolumn Konto account required\n"
				   "amount Bel\xc3\xb8" "b\n");
	struct got g;
	snprintf(schema, sizeof(schema), "%s", p);
	p = test_text_file("Dato;Bilag;Konto;Bel\xc3\xb8" "b\n01-02-2021;B1;1.2;1,00\n");
	fprintf(stderr, "(an expected error follows)\n");
	read_with(cat, schema, p, "bilag", &g);
	CHECK(g.header_seen && g.bind_failed, "a skip-row column not in the header is an error");
	remove(p);
	remove(schema);
}

static int schema_refused(const struct catalog *cat, const char *text)
{
	struct schema s;
	const char *p = test_text_file(text);
	int rc = schema_load(cat, p, &s);
	if (!rc)
		schema_free(&s);
	remove(p);
	return rc == -1;
}

static void test_schema_errors(const struct catalog *cat)
{
	fprintf(stderr, "(expected errors follow)\n");
	CHECK(schema_refused(cat, "store erp.posting\nskip-row Dato\n"), "skip-row needs a value");
	CHECK(schema_refused(cat, "store erp.posting\ntitle-lines 3\n"), "title-lines takes none");
	CHECK(schema_refused(cat, "store erp.posting\namount Bel\xc3\xb8" "b minus\n"),
	      "an unknown amount flag");
}

static int conf_refused(int (*load)(const char *, void *), const char *text)
{
	const char *p = test_text_file(text);
	int rc = load(p, NULL);
	remove(p);
	return rc;
}

static int load_finans(const char *p, void *unused)
{
	struct kyfinans_conf c;
	(void)unused;
	if (kyfinans_load(p, &c))
		return 1;
	kyfinans_free(&c);
	return 0;
}

static int load_yr(const char *p, void *unused)
{
	struct kyyr_conf c;
	(void)unused;
	if (kyyr_load(p, &c))
		return 1;
	kyyr_free(&c);
	return 0;
}

static void test_kyfinans_conf(void)
{
	struct kyfinans_conf c;
	const char *p = test_text_file("clearing-prefix Mellemregning_ MR_\n"
				   "map Tabt * 5.28.21.009\n"
				   "map Tabt Feriepenge 5.28.21.002\n");
	CHECK(kyfinans_load(p, &c) == 0, "ky-finans.conf loads");
	CHECK(kyfinans_is_clearing(&c, "MR_OP", 5) && !kyfinans_is_clearing(&c, "Mellem", 6),
	      "clearing by prefix");
	CHECK(!strcmp(kyfinans_account(&c, "Tabt", 4, "Feriepenge", 10), "5.28.21.002"),
	      "an exact detaljeringskonto wins");
	CHECK(!strcmp(kyfinans_account(&c, "Tabt", 4, "Andet", 5), "5.28.21.009") &&
	      !strcmp(kyfinans_account(&c, "Tabt", 4, NULL, 0), "5.28.21.009"), "'*' is any");
	CHECK(!kyfinans_account(&c, "Tab", 3, NULL, 0), "a konto is matched whole");
	kyfinans_free(&c);
	remove(p);
	CHECK(conf_refused(load_finans, "map A * 1\nmap A * 2\n"), "a konto mapped twice");
	CHECK(conf_refused(load_finans, "map A * 5.57.72\nmap B * 5.57.72.001\n") &&
	      conf_refused(load_finans, "map A * 5.57.72.001\nmap B * 5.57.72\n"),
	      "accounts overlapping by segment");
	CHECK(!conf_refused(load_finans, "map A * 5.57.72.001\nmap B * 5.57.72.0011\n"
			    "map C * 5.57.72.001\n"), "a shared account or a longer segment is no overlap");
	CHECK(conf_refused(load_finans, "map A 1\n"), "map needs three words");
	CHECK(conf_refused(load_finans, "clearing-prefix\n"), "clearing-prefix needs one");
	CHECK(conf_refused(load_finans, "mapping A * 1\n"), "unknown directive");
}

static void test_kyyr_conf(void)
{
	struct kyyr_conf c;
	const char *p = test_text_file("andel-atp-op abc def\n");
	CHECK(kyyr_load(p, &c) == 0 && kyyr_is_andel(&c, "def", 3) && !kyyr_is_andel(&c, "de", 2),
	      "ky-yr.conf loads, codes match whole");
	kyyr_free(&c);
	remove(p);
	CHECK(conf_refused(load_yr, "andel-atp-op a a\n"), "a code given twice");
	CHECK(conf_refused(load_yr, "andel-atp-op\n"), "andel-atp-op needs a code");
}

int main(void)
{
	struct catalog cat;
	if (catalog_load("schemas/stores", &cat)) {
		CHECK(0, "schemas/stores loads (run from the top directory)");
		return test_done();
	}
	test_opus(&cat);
	test_oesindsigt(&cat);
	test_skattekonto(&cat);
	test_skip_column_missing(&cat);
	test_sumfinans(&cat);
	test_recipient_cpr(&cat);
	test_persum(&cat);
	test_schema_errors(&cat);
	test_kyfinans_conf();
	test_kyyr_conf();
	catalog_free(&cat);
	return test_done();
}
