/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/sysctl.h>: tables, handlers, registration. */
#ifndef _SHIM_LINUX_SYSCTL_H
#define _SHIM_LINUX_SYSCTL_H

#include <linux/kernel.h>
#include <linux/types.h>

struct ctl_table;

typedef int proc_handler(const struct ctl_table *ctl, int write, void *buffer,
			 size_t *lenp, loff_t *ppos);

struct ctl_table {
	const char *procname;
	void *data;
	int maxlen;
	unsigned short mode;
	proc_handler *proc_handler;
	void *extra1;
	void *extra2;
};

extern const int sysctl_vals[];
#define SYSCTL_ZERO	((void *)&sysctl_vals[0])
#define SYSCTL_ONE	((void *)&sysctl_vals[1])

int proc_dointvec_minmax(const struct ctl_table *table, int write,
			 void *buffer, size_t *lenp, loff_t *ppos);
int proc_doulongvec_minmax(const struct ctl_table *table, int write,
			   void *buffer, size_t *lenp, loff_t *ppos);

void __register_sysctl_init(const char *path, struct ctl_table *table,
			    const char *table_name, size_t table_size);
#define register_sysctl_init(path, table)	\
	__register_sysctl_init(path, table, #table, ARRAY_SIZE(table))

/* Test control: the table registered at "path/procname", or NULL. */
const struct ctl_table *shim_sysctl_find(const char *path, const char *procname);

#endif /* _SHIM_LINUX_SYSCTL_H */
