/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/rwsem.h>: a pthread rwlock that lockdep knows. */
#ifndef _SHIM_LINUX_RWSEM_H
#define _SHIM_LINUX_RWSEM_H

#include <pthread.h>
#include <linux/lockdep.h>

struct rw_semaphore {
	pthread_rwlock_t lock;
	int waiters;			/* threads blocked in down_*() */
	struct lockdep_map dep_map;
};

void __init_rwsem(struct rw_semaphore *sem, const char *name,
		  const struct lock_class_key *key);
void down_read(struct rw_semaphore *sem);
int down_read_trylock(struct rw_semaphore *sem);
void up_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
int down_write_trylock(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
void downgrade_write(struct rw_semaphore *sem);
/* Held by anyone, for read or write (a snapshot, as in the kernel). */
int rwsem_is_locked(struct rw_semaphore *sem);
/* Someone waits for it (a snapshot, as the kernel's wait_list test). */
int rwsem_is_contended(struct rw_semaphore *sem);

/*
 * A preemptible kernel may switch away at any lock acquisition: with a
 * chance of one in @chance, the shim's locks yield the CPU first (0, the
 * default, never). The stress harness sets it to widen race windows.
 */
void shim_preempt_points(unsigned int chance);
void down_write_nested(struct rw_semaphore *sem, int subclass);
/* Many locks of one class, ordered by holding @nest: lockdep allows it. */
void __down_write_nest_lock(struct rw_semaphore *sem, struct lockdep_map *nest);
#define down_write_nest_lock(sem, nest_lock)	\
	__down_write_nest_lock((sem), &(nest_lock)->dep_map)

#define init_rwsem(sem) do {						\
	static struct lock_class_key __key;				\
	__init_rwsem((sem), #sem, &__key);				\
} while (0)

#endif /* _SHIM_LINUX_RWSEM_H */
