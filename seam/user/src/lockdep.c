// SPDX-License-Identifier: GPL-2.0
/*
 * A small lockdep for the user shim: each thread keeps the stack of locks it
 * holds, so "is this lock held" has a true answer, and taking a lock of a
 * class already held is reported as the kernel's lockdep reports it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <linux/lockdep.h>

#define MAX_HELD 48

struct held_lock {
	const struct lockdep_map *map;
	int read;
};

static __thread struct held_lock held[MAX_HELD];
static __thread unsigned int depth;

void lockdep_init_map(struct lockdep_map *map, const char *name,
		      const struct lock_class_key *key)
{
	map->name = name;
	map->key = key;
}

void lock_acquire(struct lockdep_map *map, int read, int trylock)
{
	unsigned int i;

	for (i = 0; i < depth && !trylock; i++) {
		if (held[i].map == map) {
			fprintf(stderr, "lockdep: recursive locking of %s\n",
				map->name);
			abort();
		}
		if (held[i].map->key == map->key) {
			fprintf(stderr,
				"lockdep: possible recursive locking: class %s already held\n",
				map->name);
			shim_warn(__FILE__, __LINE__, "recursive lock class");
		}
	}
	if (depth == MAX_HELD) {
		fprintf(stderr, "lockdep: too many locks held\n");
		abort();
	}
	held[depth].map = map;
	held[depth].read = read;
	depth++;
}

void lock_release(struct lockdep_map *map)
{
	unsigned int i;

	for (i = depth; i-- > 0;) {
		if (held[i].map != map)
			continue;
		for (; i + 1 < depth; i++)
			held[i] = held[i + 1];
		depth--;
		return;
	}
	fprintf(stderr, "lockdep: releasing %s, which this thread does not hold\n",
		map->name);
	shim_warn(__FILE__, __LINE__, "bad unlock balance");
}

bool lock_is_held_type(const struct lockdep_map *map, int read)
{
	unsigned int i;

	for (i = 0; i < depth; i++)
		if (held[i].map == map &&
		    (read == LOCKDEP_HELD_ANY || held[i].read == read))
			return true;
	return false;
}

unsigned int lockdep_depth_current(void)
{
	return depth;
}
