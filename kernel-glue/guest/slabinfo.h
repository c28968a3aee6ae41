/* SPDX-License-Identifier: GPL-2.0 */
/* The guest programs' view of /proc/slabinfo: the four caches rmap uses. */
#ifndef LAZYRMAP_GUEST_SLABINFO_H
#define LAZYRMAP_GUEST_SLABINFO_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NR_CACHES	4

static const char *const caches[NR_CACHES] = {
	"anon_vma", "anon_vma_chain", "vm_area_struct", "anon_vma_lazy",
};

struct slab_count {
	long objs[NR_CACHES];
	long size[NR_CACHES];
};

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
