// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl tables for the user shim: the two handlers the core uses, with the
 * kernel's checks (decimal only, bounds from extra1/extra2, -EINVAL
 * otherwise), and a registry that remembers where each table went.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/errno.h>
#include <linux/sysctl.h>

const int sysctl_vals[] = { 0, 1 };

#define MAX_TABLES 8

static struct {
	const char *path;
	const struct ctl_table *table;
	size_t size;
} registry[MAX_TABLES];
static unsigned int nr_tables;

static int parse(const void *buffer, size_t len, bool is_signed, long *out)
{
	char text[32], *end;

	if (!len || len >= sizeof(text))
		return -EINVAL;
	memcpy(text, buffer, len);
	text[len] = '\0';
	if (!is_signed && text[0] == '-')
		return -EINVAL;
	errno = 0;
	*out = is_signed ? strtol(text, &end, 10) : (long)strtoul(text, &end, 10);
	if (errno || end == text || (*end && strcmp(end, "\n")))
		return -EINVAL;
	return 0;
}

static int emit(void *buffer, size_t *lenp, loff_t *ppos, const char *text)
{
	size_t len = strlen(text);

	if (*ppos || len >= *lenp) {
		*lenp = 0;
		return 0;
	}
	memcpy(buffer, text, len + 1);
	*lenp = len;
	*ppos += len;
	return 0;
}

int proc_dointvec_minmax(const struct ctl_table *table, int write,
			 void *buffer, size_t *lenp, loff_t *ppos)
{
	const int *min = table->extra1, *max = table->extra2;
	char text[32];
	long val;
	int err;

	if (!write) {
		snprintf(text, sizeof(text), "%d\n", *(int *)table->data);
		return emit(buffer, lenp, ppos, text);
	}
	err = parse(buffer, *lenp, true, &val);
	if (err)
		return err;
	if ((min && val < *min) || (max && val > *max) ||
	    val != (long)(int)val)
		return -EINVAL;
	*(int *)table->data = (int)val;
	*ppos += *lenp;
	return 0;
}

int proc_doulongvec_minmax(const struct ctl_table *table, int write,
			   void *buffer, size_t *lenp, loff_t *ppos)
{
	const unsigned long *min = table->extra1, *max = table->extra2;
	char text[32];
	long val;
	int err;

	if (!write) {
		snprintf(text, sizeof(text), "%lu\n",
			 *(unsigned long *)table->data);
		return emit(buffer, lenp, ppos, text);
	}
	err = parse(buffer, *lenp, false, &val);
	if (err)
		return err;
	if ((min && (unsigned long)val < *min) ||
	    (max && (unsigned long)val > *max))
		return -EINVAL;
	*(unsigned long *)table->data = (unsigned long)val;
	*ppos += *lenp;
	return 0;
}

void __register_sysctl_init(const char *path, struct ctl_table *table,
			    const char *table_name, size_t table_size)
{
	(void)table_name;
	if (nr_tables == MAX_TABLES) {
		fprintf(stderr, "sysctl: registry full, %s dropped\n", path);
		return;
	}
	registry[nr_tables].path = path;
	registry[nr_tables].table = table;
	registry[nr_tables].size = table_size;
	nr_tables++;
}

const struct ctl_table *shim_sysctl_find(const char *path, const char *procname)
{
	unsigned int i;
	size_t j;

	for (i = 0; i < nr_tables; i++) {
		if (strcmp(registry[i].path, path))
			continue;
		for (j = 0; j < registry[i].size; j++)
			if (!strcmp(registry[i].table[j].procname, procname))
				return &registry[i].table[j];
	}
	return NULL;
}
