// SPDX-License-Identifier: GPL-2.0
/*
 * RCU for the user shim on liburcu's memb flavour. Kept apart from the
 * kernel-style headers: liburcu has its own struct rcu_head.
 */
#include <stdbool.h>
#include <stddef.h>
#include <urcu/urcu-memb.h>

struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};

_Static_assert(sizeof(struct callback_head) == sizeof(struct rcu_head),
	       "shim rcu_head must match liburcu's");
_Static_assert(offsetof(struct callback_head, func) ==
	       offsetof(struct rcu_head, func),
	       "shim rcu_head must match liburcu's");

/* The shim's <linux/rcupdate.h>, which this file cannot include. */
void shim_rcu_register_thread(void);
void shim_rcu_unregister_thread(void);
void rcu_read_lock(void);
void rcu_read_unlock(void);
bool rcu_read_lock_held(void);
void call_rcu(struct callback_head *head, void (*func)(struct callback_head *));
void synchronize_rcu(void);
void rcu_barrier(void);

static __thread bool registered;
static __thread int nesting;

void shim_rcu_register_thread(void)
{
	if (registered)
		return;
	urcu_memb_register_thread();
	registered = true;
}

void shim_rcu_unregister_thread(void)
{
	if (!registered)
		return;
	urcu_memb_unregister_thread();
	registered = false;
}

void rcu_read_lock(void)
{
	shim_rcu_register_thread();
	urcu_memb_read_lock();
	nesting++;
}

void rcu_read_unlock(void)
{
	nesting--;
	urcu_memb_read_unlock();
}

bool rcu_read_lock_held(void)
{
	return nesting > 0;
}

void call_rcu(struct callback_head *head, void (*func)(struct callback_head *))
{
	shim_rcu_register_thread();
	urcu_memb_call_rcu((struct rcu_head *)head,
			   (void (*)(struct rcu_head *))func);
}

void synchronize_rcu(void)
{
	urcu_memb_synchronize_rcu();
}

void rcu_barrier(void)
{
	shim_rcu_register_thread();
	urcu_memb_barrier();
}
