/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/sched.h>. */
#ifndef _SHIM_LINUX_SCHED_H
#define _SHIM_LINUX_SCHED_H

#include <sched.h>
#include <linux/bug.h>
#include <linux/rcupdate.h>

/* CONFIG_DEBUG_ATOMIC_SLEEP: nothing that may sleep inside RCU. */
#define might_sleep()	WARN_ON_ONCE(rcu_read_lock_held())

/* A preemption point: let another thread in, as a voluntary reschedule can. */
static inline void cond_resched(void)
{
	sched_yield();
}

#endif /* _SHIM_LINUX_SCHED_H */
