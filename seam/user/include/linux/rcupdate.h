/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/rcupdate.h> on liburcu (memb flavour).
 * call_rcu() really defers: a callback runs only after every reader that
 * could see the object has left its read-side section, so a use after the
 * grace period is a use-after-free that ASan reports.
 */
#ifndef _SHIM_LINUX_RCUPDATE_H
#define _SHIM_LINUX_RCUPDATE_H

#include <linux/compiler.h>
#include <linux/types.h>

void rcu_read_lock(void);
void rcu_read_unlock(void);
bool rcu_read_lock_held(void);
void call_rcu(struct rcu_head *head, rcu_callback_t func);
void synchronize_rcu(void);
void rcu_barrier(void);

/* Register the calling thread as an RCU reader; done lazily on first use. */
void shim_rcu_register_thread(void);
/* Test control: call_rcu() callbacks queued and not yet run. */
long shim_rcu_pending(void);
/* The shim's own deferred work (the slab's), left out of that count. */
void shim_call_rcu_quiet(struct rcu_head *head, rcu_callback_t func);
void shim_rcu_unregister_thread(void);

#define rcu_dereference(p)		smp_load_acquire(&(p))
#define rcu_assign_pointer(p, v)	smp_store_release(&(p), (v))

#endif /* _SHIM_LINUX_RCUPDATE_H */
