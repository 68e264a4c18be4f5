/*
 * csvfloor FILE...: the libcsv parse floor of `make bench`. Reads each
 * FILE in 64 KB blocks through libcsv (';' separated, as the schemas
 * read them) and counts fields and rows; prints "N files N rows N fields
 * N bytes". Nothing is copied or kept: this is what any loader of the
 * same bytes must at least spend. Exit 0, or 1 naming a file that cannot
 * be read or parsed.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>

struct counts {
	unsigned long long fields, rows;
};

static void on_field(void *s, size_t n, void *data)
{
	(void)s;
	(void)n;
	((struct counts *)data)->fields++;
}

static void on_row(int c, void *data)
{
	(void)c;
	((struct counts *)data)->rows++;
}

int main(int argc, char **argv)
{
	struct counts k = { 0, 0 };
	unsigned long long bytes = 0;
	static char buf[65536];
	for (int i = 1; i < argc; i++) {
		struct csv_parser p;
		FILE *f = fopen(argv[i], "rb");
		if (!f || csv_init(&p, CSV_APPEND_NULL) != 0) {
			fprintf(stderr, "csvfloor: %s: cannot read\n", argv[i]);
			return 1;
		}
		csv_set_delim(&p, ';');
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
			bytes += n;
			if (csv_parse(&p, buf, n, on_field, on_row, &k) != n) {
				fprintf(stderr, "csvfloor: %s: %s\n", argv[i], csv_strerror(csv_error(&p)));
				return 1;
			}
		}
		csv_fini(&p, on_field, on_row, &k);
		csv_free(&p);
		fclose(f);
	}
	printf("%d files %llu rows %llu fields %llu bytes\n", argc - 1, k.rows, k.fields, bytes);
	return 0;
}
