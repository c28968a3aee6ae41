// SPDX-License-Identifier: GPL-2.0
/* spinlock_t and rw_semaphore for the user shim: pthreads, known to lockdep. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>

static unsigned int preempt_chance;

void shim_preempt_points(unsigned int chance)
{
	__atomic_store_n(&preempt_chance, chance, __ATOMIC_RELAXED);
}

static void preempt_point(void)
{
	static __thread unsigned int seed;
	unsigned int chance = __atomic_load_n(&preempt_chance, __ATOMIC_RELAXED);

	if (!seed)
		seed = (unsigned int)(unsigned long)&seed;
	if (chance && rand_r(&seed) % chance == 0)
		sched_yield();
}

void __spin_lock_init(spinlock_t *lock, const char *name,
		      const struct lock_class_key *key)
{
	pthread_mutex_init(&lock->mutex, NULL);
	lockdep_init_map(&lock->dep_map, name, key);
}

void spin_lock(spinlock_t *lock)
{
	preempt_point();
	lock_acquire(&lock->dep_map, 0, 0);
	pthread_mutex_lock(&lock->mutex);
}

void spin_unlock(spinlock_t *lock)
{
	lock_release(&lock->dep_map);
	pthread_mutex_unlock(&lock->mutex);
}

void __init_rwsem(struct rw_semaphore *sem, const char *name,
		  const struct lock_class_key *key)
{
	pthread_rwlockattr_t attr;

	/*
	 * As a kernel rwsem, a waiting writer holds off new readers: glibc's
	 * default would starve it, and a reader that nests the lock would
	 * not deadlock here as it can in the kernel.
	 */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&sem->lock, &attr);
	sem->waiters = 0;
	pthread_rwlockattr_destroy(&attr);
	lockdep_init_map(&sem->dep_map, name, key);
}

/* Blocks as the kernel's slow path does, seen by rwsem_is_contended(). */
static void rwsem_wait(struct rw_semaphore *sem,
		       int (*lock)(pthread_rwlock_t *),
		       int (*trylock)(pthread_rwlock_t *))
{
	if (!trylock(&sem->lock))
		return;
	__atomic_add_fetch(&sem->waiters, 1, __ATOMIC_RELAXED);
	lock(&sem->lock);
	__atomic_sub_fetch(&sem->waiters, 1, __ATOMIC_RELAXED);
}

void down_read(struct rw_semaphore *sem)
{
	preempt_point();
	lock_acquire(&sem->dep_map, 1, 0);
	rwsem_wait(sem, pthread_rwlock_rdlock, pthread_rwlock_tryrdlock);
}

int down_read_trylock(struct rw_semaphore *sem)
{
	if (pthread_rwlock_tryrdlock(&sem->lock))
		return 0;
	lock_acquire(&sem->dep_map, 1, 1);
	return 1;
}

void up_read(struct rw_semaphore *sem)
{
	lock_release(&sem->dep_map);
	pthread_rwlock_unlock(&sem->lock);
}

void down_write(struct rw_semaphore *sem)
{
	preempt_point();
	lock_acquire(&sem->dep_map, 0, 0);
	rwsem_wait(sem, pthread_rwlock_wrlock, pthread_rwlock_trywrlock);
}

void __down_write_nest_lock(struct rw_semaphore *sem, struct lockdep_map *nest)
{
	preempt_point();
	WARN_ON(!lock_is_held_type(nest, LOCKDEP_HELD_ANY));
	lock_acquire(&sem->dep_map, 0, 1);
	rwsem_wait(sem, pthread_rwlock_wrlock, pthread_rwlock_trywrlock);
}

void down_write_nested(struct rw_semaphore *sem, int subclass)
{
	preempt_point();
	/* A second lock of the class, annotated as such: no recursion report. */
	lock_acquire(&sem->dep_map, 0, subclass != 0);
	rwsem_wait(sem, pthread_rwlock_wrlock, pthread_rwlock_trywrlock);
}

int down_write_trylock(struct rw_semaphore *sem)
{
	if (pthread_rwlock_trywrlock(&sem->lock))
		return 0;
	lock_acquire(&sem->dep_map, 0, 1);
	return 1;
}

void up_write(struct rw_semaphore *sem)
{
	lock_release(&sem->dep_map);
	pthread_rwlock_unlock(&sem->lock);
}

/*
 * Not atomic as the kernel's: a writer may come in between. That only adds
 * interleavings; nothing may rely on a downgrade keeping writers out.
 */
void downgrade_write(struct rw_semaphore *sem)
{
	up_write(sem);
	down_read(sem);
}

int rwsem_is_locked(struct rw_semaphore *sem)
{
	if (pthread_rwlock_trywrlock(&sem->lock))
		return 1;
	pthread_rwlock_unlock(&sem->lock);
	return 0;
}

int rwsem_is_contended(struct rw_semaphore *sem)
{
	return __atomic_load_n(&sem->waiters, __ATOMIC_RELAXED) != 0;
}
