/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/printk.h>. */
#ifndef _SHIM_LINUX_PRINTK_H
#define _SHIM_LINUX_PRINTK_H

#include <stdio.h>

#define pr_err(fmt, ...)	fprintf(stderr, "err: " fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	fprintf(stderr, "warn: " fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	fprintf(stderr, "info: " fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	do { } while (0)

#endif /* _SHIM_LINUX_PRINTK_H */
