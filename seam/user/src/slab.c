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
#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#if defined(__SANITIZE_ADDRESS__)
#define SHIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHIM_ASAN 1
#endif
#endif
#ifdef SHIM_ASAN
#include <sanitizer/asan_interface.h>
#define shim_poison(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define shim_unpoison(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define shim_poison(p, n)	do { } while (0)
#define shim_unpoison(p, n)	do { } while (0)
#endif

/* A freed object of a SLAB_TYPESAFE_BY_RCU cache, waiting for reuse. */
struct recycled {
	void *obj;
	unsigned long gen;	/* which free of @obj this entry is */
	bool poisoned;		/* a grace period passed since that free */
};

#define MAX_CACHES 32

struct kmem_cache {
	const char *name;
	unsigned int size;
	unsigned int align;
	slab_flags_t flags;
	void (*ctor)(void *obj);
	/* Where a free overwrites the object with the freelist, or -1. */
	int freeptr_offset;
	long live;
	unsigned long allocs;
	/*
	 * SLAB_TYPESAFE_BY_RCU: freed objects are kept, still readable, and
	 * handed out again first, in random order, so a stale RCU reader
	 * meets a reused object as it can in the kernel. A grace period
	 * after its free, an object not reused yet is poisoned for ASan
	 * until it is: the kernel may have given its slab page back by
	 * then, and only a reader whose RCU section began before the free
	 * may still touch it. Never returned to malloc.
	 */
	pthread_mutex_t lock;
	struct recycled *recycled;
	size_t nr_recycled, max_recycled;
	unsigned long gen;
	unsigned int seed;
};

/* The grace period after one free of a typesafe object. */
struct recycle_gp {
	struct rcu_head rcu;
	struct kmem_cache *cachep;
	void *obj;
	unsigned long gen;
};

static struct kmem_cache caches[MAX_CACHES];
static unsigned int nr_caches;
static unsigned long fail_countdown;
/* How many in a row fail from the nth on, and how many are left. */
static unsigned long fail_run, fail_more;
static unsigned long failures;

struct kmem_cache *__kmem_cache_create_args(const char *name,
					    unsigned int size,
					    struct kmem_cache_args *args,
					    slab_flags_t flags)
{
	struct kmem_cache *cachep = shim_kmem_cache_find(name);
	unsigned int align = args->align;

	/* What SLUB refuses: a free pointer outside, unaligned, or not needed. */
	if (args->use_freeptr_offset &&
	    (args->freeptr_offset > size - sizeof(freeptr_t) ||
	     !(flags & SLAB_TYPESAFE_BY_RCU) ||
	     args->freeptr_offset % sizeof(freeptr_t) || args->ctor)) {
		WARN(1, "kmem_cache_create %s: bad freeptr_offset %u\n",
		     name, args->freeptr_offset);
		BUG_ON(flags & SLAB_PANIC);
		return NULL;
	}

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
	cachep->ctor = args->ctor;
	cachep->freeptr_offset = args->use_freeptr_offset ?
				 (int)args->freeptr_offset : -1;
	cachep->seed = nr_caches;
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
	unsigned long n = __atomic_load_n(&fail_more, __ATOMIC_RELAXED);

	while (n) {
		if (__atomic_compare_exchange_n(&fail_more, &n, n - 1, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
			return true;
		}
	}
	n = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
	while (n) {
		if (__atomic_compare_exchange_n(&fail_countdown, &n, n - 1, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			if (n != 1)
				return false;
			__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&fail_more,
					 __atomic_load_n(&fail_run, __ATOMIC_RELAXED) - 1,
					 __ATOMIC_RELAXED);
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
		if (cachep->nr_recycled) {
			size_t i = rand_r(&cachep->seed) % cachep->nr_recycled;
			struct recycled *r = &cachep->recycled[i];

			obj = r->obj;
			if (r->poisoned)
				shim_unpoison(obj, size);
			*r = cachep->recycled[--cachep->nr_recycled];
		}
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

static void recycle_gp_done(struct rcu_head *head)
{
	struct recycle_gp *gp = container_of(head, struct recycle_gp, rcu);
	struct kmem_cache *cachep = gp->cachep;
	size_t i;

	pthread_mutex_lock(&cachep->lock);
	for (i = 0; i < cachep->nr_recycled; i++) {
		struct recycled *r = &cachep->recycled[i];

		if (r->obj == gp->obj && r->gen == gp->gen) {
			shim_poison(r->obj, cachep->size);
			r->poisoned = true;
			break;
		}
	}
	pthread_mutex_unlock(&cachep->lock);
	free(gp);
}

void kmem_cache_free(struct kmem_cache *cachep, void *obj)
{
	struct recycle_gp *gp;
	unsigned long gen;

	if (!obj)
		return;
	WARN_ON(__atomic_sub_fetch(&cachep->live, 1, __ATOMIC_RELAXED) < 0);
	if (!(cachep->flags & SLAB_TYPESAFE_BY_RCU)) {
		free(obj);
		return;
	}
	/* SLUB links the free object through this word at once. */
	if (cachep->freeptr_offset >= 0)
		memset((char *)obj + cachep->freeptr_offset, 0x6b,
		       sizeof(freeptr_t));
	pthread_mutex_lock(&cachep->lock);
	if (cachep->nr_recycled == cachep->max_recycled) {
		size_t max = cachep->max_recycled ? 2 * cachep->max_recycled : 64;
		struct recycled *grown = realloc(cachep->recycled,
						 max * sizeof(*grown));

		BUG_ON(!grown);
		cachep->recycled = grown;
		cachep->max_recycled = max;
	}
	gen = ++cachep->gen;
	cachep->recycled[cachep->nr_recycled++] = (struct recycled) {
		.obj = obj, .gen = gen,
	};
	pthread_mutex_unlock(&cachep->lock);
	gp = malloc(sizeof(*gp));
	if (!gp)
		return;
	*gp = (struct recycle_gp) { .cachep = cachep, .obj = obj, .gen = gen };
	shim_call_rcu_quiet(&gp->rcu, recycle_gp_done);
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
	shim_slab_fail_run(nth, 1);
}

void shim_slab_fail_run(unsigned long nth, unsigned long count)
{
	__atomic_store_n(&fail_more, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_run, count, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_countdown, count ? nth : 0, __ATOMIC_RELAXED);
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
