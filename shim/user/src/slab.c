// SPDX-License-Identifier: GPL-2.0
/*
 * A counting kmem_cache on malloc, after tools/testing/shared/linux.c.
 * Every cache counts what it has live; any allocation can be made to fail
 * (shim_slab_fail_nth), so each allocation site can be fault-injected.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bug.h>
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
	/*
	 * SLAB_TYPESAFE_BY_RCU: freed objects are kept, still readable, and
	 * handed out again first, so a stale RCU reader meets a reused
	 * object as it can in the kernel. Never returned to malloc.
	 */
	pthread_mutex_t lock;
	void **recycled;
	size_t nr_recycled, max_recycled;
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
	pthread_mutex_init(&cachep->lock, NULL);
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
	obj = NULL;
	if (cachep->flags & SLAB_TYPESAFE_BY_RCU) {
		pthread_mutex_lock(&cachep->lock);
		if (cachep->nr_recycled)
			obj = cachep->recycled[--cachep->nr_recycled];
		pthread_mutex_unlock(&cachep->lock);
	}
	if (!obj) {
		obj = aligned_alloc(cachep->align, size);
		if (!obj)
			return NULL;
		/* The kernel runs a ctor once per object, not per allocation. */
		if (cachep->ctor)
			cachep->ctor(obj);
	}
	if (gfp & __GFP_ZERO)
		memset(obj, 0, size);
	__atomic_fetch_add(&cachep->live, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&cachep->allocs, 1, __ATOMIC_RELAXED);
	return obj;
}

void kmem_cache_free(struct kmem_cache *cachep, void *obj)
{
	if (!obj)
		return;
	WARN_ON(__atomic_sub_fetch(&cachep->live, 1, __ATOMIC_RELAXED) < 0);
	if (!(cachep->flags & SLAB_TYPESAFE_BY_RCU)) {
		free(obj);
		return;
	}
	pthread_mutex_lock(&cachep->lock);
	if (cachep->nr_recycled == cachep->max_recycled) {
		size_t max = cachep->max_recycled ? 2 * cachep->max_recycled : 64;
		void **grown = realloc(cachep->recycled, max * sizeof(*grown));

		BUG_ON(!grown);
		cachep->recycled = grown;
		cachep->max_recycled = max;
	}
	cachep->recycled[cachep->nr_recycled++] = obj;
	pthread_mutex_unlock(&cachep->lock);
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
