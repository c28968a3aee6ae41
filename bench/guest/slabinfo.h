/* SPDX-License-Identifier: GPL-2.0 */
/* The guest programs' view of /proc/slabinfo: the four caches rmap uses. */
#ifndef LAZYRMAP_GUEST_SLABINFO_H
#define LAZYRMAP_GUEST_SLABINFO_H

#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NR_CACHES	4

static const char *const caches[NR_CACHES] = {
	"anon_vma", "anon_vma_chain", "vm_area_struct", "anon_vma_lazy",
};

struct slab_count {
	long objs[NR_CACHES];
	long size[NR_CACHES];
};

/*
 * With per-VMA locks (SMP kernels), a freed vm_area_struct goes back to
 * its cache after a grace period: wait for one (MEMBARRIER_CMD_GLOBAL is
 * a synchronize_rcu()) and let the callbacks run, so that active objects
 * count the live ones only. Without membarrier, a pause does it.
 */
static void settle_rcu(void)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };

	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	nanosleep(&pause, NULL);
}

/* Active objects and object size of each cache; exits if unreadable. */
static void read_slabs(struct slab_count *c)
{
	char line[512], name[64];
	long active, total, size;
	FILE *f = fopen("/proc/slabinfo", "r");
	int i;

	memset(c, 0, sizeof(*c));
	if (!f) {
		perror("/proc/slabinfo");
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld %ld %ld", name, &active, &total, &size) != 4)
			continue;
		for (i = 0; i < NR_CACHES; i++) {
			if (!strcmp(name, caches[i])) {
				c->objs[i] = active;
				c->size[i] = size;
			}
		}
	}
	fclose(f);
}

#endif
