// SPDX-License-Identifier: GPL-2.0
/*
 * A counting kmem_cache on malloc, after tools/testing/shared/linux.c.
 * Every cache counts what it has live; any allocation can be made to fail
 * (shim_slab_fail_nth), so each allocation site can be fault-injected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bug.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#define MAX_CACHES 32

struct kmem_cache {
	const char *name;
	unsigned int size;
	unsigned int align;
	slab_flags_t flags;
	void (*ctor)(void *obj);
	long live;
	unsigned long allocs;
};

static struct kmem_cache caches[MAX_CACHES];
static unsigned int nr_caches;
static unsigned long fail_countdown;
static unsigned long failures;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *cachep = shim_kmem_cache_find(name);

	/* A test process may initialise twice; a cache is created once. */
	if (cachep)
		return cachep;
	if (nr_caches == MAX_CACHES) {
		BUG_ON(flags & SLAB_PANIC);
		return NULL;
	}
	cachep = &caches[nr_caches++];
	cachep->name = name;
	cachep->size = size;
	cachep->align = align < sizeof(void *) ? sizeof(void *) : align;
	cachep->flags = flags;
	cachep->ctor = ctor;
	return cachep;
}

void kmem_cache_destroy(struct kmem_cache *cachep)
{
	if (!cachep)
		return;
	if (WARN_ON(__atomic_load_n(&cachep->live, __ATOMIC_RELAXED)))
		fprintf(stderr, "kmem_cache_destroy %s: objects remaining\n",
			cachep->name);
}

static bool should_fail(void)
{
	unsigned long n = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);

	while (n) {
		if (__atomic_compare_exchange_n(&fail_countdown, &n, n - 1, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			if (n != 1)
				return false;
			__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
			return true;
		}
	}
	return false;
}

void *kmem_cache_alloc(struct kmem_cache *cachep, gfp_t gfp)
{
	size_t size = (cachep->size + cachep->align - 1) & ~(size_t)(cachep->align - 1);
	void *obj;

	if (should_fail())
		return NULL;
	obj = aligned_alloc(cachep->align, size);
	if (!obj)
		return NULL;
	if (gfp & __GFP_ZERO)
		memset(obj, 0, size);
	if (cachep->ctor)
		cachep->ctor(obj);
	__atomic_fetch_add(&cachep->live, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&cachep->allocs, 1, __ATOMIC_RELAXED);
	return obj;
}

struct deferred_free {
	struct rcu_head rcu;
	void *obj;
};

static void deferred_free_rcu(struct rcu_head *head)
{
	struct deferred_free *df = (struct deferred_free *)head;

	free(df->obj);
	free(df);
}

void kmem_cache_free(struct kmem_cache *cachep, void *obj)
{
	struct deferred_free *df;

	if (!obj)
		return;
	WARN_ON(__atomic_sub_fetch(&cachep->live, 1, __ATOMIC_RELAXED) < 0);
	/*
	 * SLAB_TYPESAFE_BY_RCU memory may be read by an RCU reader after it
	 * is freed; only after a grace period may it go back to malloc.
	 */
	if (!(cachep->flags & SLAB_TYPESAFE_BY_RCU)) {
		free(obj);
		return;
	}
	df = malloc(sizeof(*df));
	BUG_ON(!df);
	df->obj = obj;
	call_rcu(&df->rcu, deferred_free_rcu);
}

struct kmem_cache *shim_kmem_cache_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_caches; i++)
		if (!strcmp(caches[i].name, name))
			return &caches[i];
	return NULL;
}

long shim_kmem_cache_live(const struct kmem_cache *cachep)
{
	return cachep ? __atomic_load_n(&cachep->live, __ATOMIC_RELAXED) : 0;
}

unsigned long shim_kmem_cache_allocs(const struct kmem_cache *cachep)
{
	return cachep ? __atomic_load_n(&cachep->allocs, __ATOMIC_RELAXED) : 0;
}

unsigned int shim_kmem_cache_size(const struct kmem_cache *cachep)
{
	return cachep ? cachep->size : 0;
}

void shim_slab_fail_nth(unsigned long nth)
{
	__atomic_store_n(&fail_countdown, nth, __ATOMIC_RELAXED);
}

unsigned long shim_slab_failures(void)
{
	return __atomic_load_n(&failures, __ATOMIC_RELAXED);
}

long shim_slab_live_total(void)
{
	long total = 0;
	unsigned int i;

	for (i = 0; i < nr_caches; i++)
		total += shim_kmem_cache_live(&caches[i]);
	return total;
}
