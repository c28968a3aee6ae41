/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/lockdep.h>. Every lock knows which threads
 * hold it, so lockdep_assert_held() is a real check, and taking a second lock
 * of a class the thread already holds is reported as recursive locking, as
 * lockdep does. A failed check is a WARN (counted, see bug.h).
 */
#ifndef _SHIM_LINUX_LOCKDEP_H
#define _SHIM_LINUX_LOCKDEP_H

#include <linux/bug.h>
#include <linux/types.h>

struct lock_class_key {
	char unused;
};

struct lockdep_map {
	const struct lock_class_key *key;
	const char *name;
};

#define LOCKDEP_HELD_ANY	(-1)
#define LOCKDEP_HELD_WRITE	0
#define LOCKDEP_HELD_READ	1

void lockdep_init_map(struct lockdep_map *map, const char *name,
		      const struct lock_class_key *key);
void lock_acquire(struct lockdep_map *map, int read, int trylock);
void lock_release(struct lockdep_map *map);
bool lock_is_held_type(const struct lockdep_map *map, int read);
unsigned int lockdep_depth_current(void);

#define lockdep_is_held(l)	lock_is_held_type(&(l)->dep_map, LOCKDEP_HELD_ANY)
#define lockdep_assert_held(l)	\
	WARN_ON(!lock_is_held_type(&(l)->dep_map, LOCKDEP_HELD_ANY))
#define lockdep_assert_held_write(l)	\
	WARN_ON(!lock_is_held_type(&(l)->dep_map, LOCKDEP_HELD_WRITE))
#define lockdep_assert_held_read(l)	\
	WARN_ON(!lock_is_held_type(&(l)->dep_map, LOCKDEP_HELD_READ))
#define lockdep_assert_not_held(l)	\
	WARN_ON(lock_is_held_type(&(l)->dep_map, LOCKDEP_HELD_ANY))

#endif /* _SHIM_LINUX_LOCKDEP_H */
