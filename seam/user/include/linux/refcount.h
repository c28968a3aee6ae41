/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/refcount.h>: the kernel's checks kept, an
 * increment from zero or a decrement below zero WARNs and saturates.
 */
#ifndef _SHIM_LINUX_REFCOUNT_H
#define _SHIM_LINUX_REFCOUNT_H

#include <limits.h>
#include <linux/atomic.h>
#include <linux/bug.h>

typedef struct {
	atomic_t refs;
} refcount_t;

#define REFCOUNT_INIT(n)	{ .refs = ATOMIC_INIT(n) }
#define REFCOUNT_SATURATED	(INT_MIN / 2)

static inline void refcount_set(refcount_t *r, int n)
{
	atomic_set(&r->refs, n);
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return atomic_read(&r->refs);
}

/* Orders nothing, as in the kernel: callers add smp_acquire__after_ctrl_dep(). */
static inline bool refcount_inc_not_zero(refcount_t *r)
{
	int old = atomic_read(&r->refs);

	do {
		if (!old)
			return false;
	} while (!__atomic_compare_exchange_n(&r->refs.counter, &old, old + 1, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	WARN_ON(old < 0);
	return true;
}

static inline void refcount_inc(refcount_t *r)
{
	int old = atomic_fetch_add(1, &r->refs);

	if (WARN_ON(old <= 0))
		atomic_set(&r->refs, REFCOUNT_SATURATED);
}

static inline void refcount_add(int i, refcount_t *r)
{
	int old = atomic_fetch_add(i, &r->refs);

	if (WARN_ON(old <= 0))
		atomic_set(&r->refs, REFCOUNT_SATURATED);
}

static inline bool refcount_sub_and_test(int i, refcount_t *r)
{
	int new = atomic_add_return(-i, &r->refs);

	if (WARN_ON(new < 0)) {
		atomic_set(&r->refs, REFCOUNT_SATURATED);
		return false;
	}
	return new == 0;
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	return refcount_sub_and_test(1, r);
}

#endif /* _SHIM_LINUX_REFCOUNT_H */
