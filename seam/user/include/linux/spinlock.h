/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/spinlock.h>: a pthread mutex that lockdep knows. */
#ifndef _SHIM_LINUX_SPINLOCK_H
#define _SHIM_LINUX_SPINLOCK_H

#include <pthread.h>
#include <linux/lockdep.h>

typedef struct spinlock {
	pthread_mutex_t mutex;
	struct lockdep_map dep_map;
} spinlock_t;

void __spin_lock_init(spinlock_t *lock, const char *name,
		      const struct lock_class_key *key);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);

#define spin_lock_init(lock) do {					\
	static struct lock_class_key __key;				\
	__spin_lock_init((lock), #lock, &__key);			\
} while (0)

#endif /* _SHIM_LINUX_SPINLOCK_H */
