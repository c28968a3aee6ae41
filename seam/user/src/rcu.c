// SPDX-License-Identifier: GPL-2.0
/*
 * RCU for the user shim on liburcu's memb flavour. Kept apart from the
 * kernel-style headers: liburcu has its own struct rcu_head.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
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
void shim_call_rcu_quiet(struct callback_head *head,
			 void (*func)(struct callback_head *));
void synchronize_rcu(void);
void rcu_barrier(void);
long shim_rcu_pending(void);

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

/*
 * Callbacks queued and not yet run, so that a test can tell objects
 * waiting for a grace period from leaked ones without an rcu_barrier().
 */
static long pending;

struct shim_rcu_cb {
	struct rcu_head urcu;
	struct callback_head *head;
	void (*func)(struct callback_head *head);
};

/* liburcu's callback threads are registered readers already. */
static void shim_rcu_callback_thread(void)
{
	registered = true;
}

static void shim_rcu_trampoline(struct rcu_head *urcu)
{
	struct shim_rcu_cb *cb = caa_container_of(urcu, struct shim_rcu_cb, urcu);
	/* liburcu's hand-off is invisible to TSan: this acquire shows it. */
	void (*func)(struct callback_head *) =
		__atomic_load_n(&cb->func, __ATOMIC_ACQUIRE);

	shim_rcu_callback_thread();
	func(cb->head);
	__atomic_fetch_sub(&pending, 1, __ATOMIC_RELEASE);
	free(cb);
}

static void shim_rcu_quiet_trampoline(struct rcu_head *urcu)
{
	struct shim_rcu_cb *cb = caa_container_of(urcu, struct shim_rcu_cb, urcu);
	void (*func)(struct callback_head *) =
		__atomic_load_n(&cb->func, __ATOMIC_ACQUIRE);

	shim_rcu_callback_thread();
	func(cb->head);
	free(cb);
}

static void shim_call_rcu(struct callback_head *head,
			  void (*func)(struct callback_head *), bool counted)
{
	struct shim_rcu_cb *cb = malloc(sizeof(*cb));

	shim_rcu_register_thread();
	if (!cb) {
		/* As the kernel cannot fail call_rcu(): wait, then call. */
		urcu_memb_synchronize_rcu();
		func(head);
		return;
	}
	cb->head = head;
	__atomic_store_n(&cb->func, func, __ATOMIC_RELEASE);
	if (!counted) {
		urcu_memb_call_rcu(&cb->urcu, shim_rcu_quiet_trampoline);
		return;
	}
	__atomic_fetch_add(&pending, 1, __ATOMIC_ACQUIRE);
	urcu_memb_call_rcu(&cb->urcu, shim_rcu_trampoline);
}

void call_rcu(struct callback_head *head, void (*func)(struct callback_head *))
{
	shim_call_rcu(head, func, true);
}

void shim_call_rcu_quiet(struct callback_head *head,
			 void (*func)(struct callback_head *))
{
	shim_call_rcu(head, func, false);
}

long shim_rcu_pending(void)
{
	return __atomic_load_n(&pending, __ATOMIC_ACQUIRE);
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
