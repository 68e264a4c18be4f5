#include "ingest/csvtable.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "ingest/csvin.h"
#include "core/banned.h"

static char **copy_row(const struct csv_row *row, size_t ncols)
{
	char **v = xcalloc(ncols ? ncols : 1, sizeof(*v));
	for (size_t i = 0; i < ncols; i++)
		v[i] = xstrdup(i < row->nfields ? row->fields[i].ptr : "");
	return v;
}

static int on_row(const struct csv_row *row, void *data)
{
	struct csvtable *t = data;
	if (!t->header) {
		t->ncols = row->nfields;
		t->header = copy_row(row, row->nfields);
		return 0;
	}
	t->rows = xrealloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
	t->lines = xrealloc(t->lines, (t->nrows + 1) * sizeof(*t->lines));
	t->rows[t->nrows] = copy_row(row, t->ncols);
	t->lines[t->nrows++] = row->line;
	return 0;
}

int csvtable_read(const char *path, FILE *fp, struct csvtable *t)
{
	struct csvin_opts o = { .delimiter = ';', .encoding = CSVIN_UTF8 };
	int rc;
	memset(t, 0, sizeof(*t));
	rc = fp ? csvin_read_fp(fp, path, &o, on_row, t, NULL)
		: csvin_read(path, &o, on_row, t, NULL);
	if (rc)
		csvtable_free(t);
	return rc;
}

static void free_row(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void csvtable_free(struct csvtable *t)
{
	free_row(t->header, t->ncols);
	for (size_t r = 0; r < t->nrows; r++)
		free_row(t->rows[r], t->ncols);
	free(t->rows);
	free(t->lines);
	memset(t, 0, sizeof(*t));
}

int csvhead_col(char *const *head, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(head[i], name))
			return (int)i;
	return -1;
}

const char *csvrow_get(const struct csv_row *row, int col)
{
	return col < 0 || (size_t)col >= row->nfields ? "" : row->fields[col].ptr;
}

void csv_reason_code(const char *reason, char *code, size_t size)
{
	size_t n = strcspn(reason, ":");
	if (n >= size)
		n = size - 1;
	memcpy(code, reason, n);
	code[n] = '\0';
}

int csvtable_col(const struct csvtable *t, const char *name)
{
	return csvhead_col(t->header, t->ncols, name);
}

const char *csvtable_get(const struct csvtable *t, size_t row, int col)
{
	return col < 0 || (size_t)col >= t->ncols ? "" : t->rows[row][col];
}
