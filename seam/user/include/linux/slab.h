/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/slab.h>, after tools/testing/shared/linux.c:
 * each kmem_cache counts its live objects and can be told to fail an
 * allocation on demand, so every allocation site can be fault-injected and
 * every leak is visible. SLAB_TYPESAFE_BY_RCU caches hand freed objects
 * back in random order, and poison them for ASan once a grace period has
 * passed; one that keeps its free pointer inside the object
 * (kmem_cache_args.freeptr_offset) has that word overwritten at the free,
 * as SLUB's freelist does (src/slab.c).
 */
#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H

#include <linux/gfp.h>
#include <linux/types.h>

#define SLAB_HWCACHE_ALIGN	0x1u
#define SLAB_PANIC		0x2u
#define SLAB_ACCOUNT		0x4u
#define SLAB_TYPESAFE_BY_RCU	0x8u

typedef unsigned int slab_flags_t;

struct kmem_cache;

/* The slab's free pointer, for a cache that places it in its objects. */
typedef struct { unsigned long v; } freeptr_t;

/* As 6.12's: the arguments kmem_cache_create() takes in a struct. */
struct kmem_cache_args {
	unsigned int align;
	unsigned int useroffset;
	unsigned int usersize;
	unsigned int freeptr_offset;
	bool use_freeptr_offset;
	void (*ctor)(void *);
};

struct kmem_cache *__kmem_cache_create_args(const char *name,
					    unsigned int size,
					    struct kmem_cache_args *args,
					    slab_flags_t flags);

static inline struct kmem_cache *
__kmem_cache_default_args(const char *name, unsigned int size,
			  struct kmem_cache_args *args, slab_flags_t flags)
{
	struct kmem_cache_args kmem_default_args = {};

	return __kmem_cache_create_args(name, size, &kmem_default_args, flags);
}

static inline struct kmem_cache *
__kmem_cache_create(const char *name, unsigned int size, unsigned int align,
		    slab_flags_t flags, void (*ctor)(void *))
{
	struct kmem_cache_args kmem_args = {
		.align	= align,
		.ctor	= ctor,
	};

	return __kmem_cache_create_args(name, size, &kmem_args, flags);
}

/* The kernel's two forms: (name, size, args, flags) and the older one. */
#define kmem_cache_create(__name, __object_size, __args, ...)		\
	_Generic((__args),						\
		struct kmem_cache_args *: __kmem_cache_create_args,	\
		void *: __kmem_cache_default_args,			\
		default: __kmem_cache_create)(__name, __object_size, __args, __VA_ARGS__)
void kmem_cache_destroy(struct kmem_cache *cachep);
void *kmem_cache_alloc(struct kmem_cache *cachep, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *cachep, void *obj);

static inline void *kmem_cache_zalloc(struct kmem_cache *cachep, gfp_t gfp)
{
	return kmem_cache_alloc(cachep, gfp | __GFP_ZERO);
}

#define KMEM_CACHE(__struct, __flags)					\
	__kmem_cache_create(#__struct, sizeof(struct __struct),		\
			    __alignof__(struct __struct), (__flags), NULL)

/* Test controls: not kernel API. */
struct kmem_cache *shim_kmem_cache_find(const char *name);
long shim_kmem_cache_live(const struct kmem_cache *cachep);
unsigned long shim_kmem_cache_allocs(const struct kmem_cache *cachep);
unsigned int shim_kmem_cache_size(const struct kmem_cache *cachep);
/* Make the nth allocation from now (1 = the next) fail, in any cache. */
void shim_slab_fail_nth(unsigned long nth);
/* ... and the @count - 1 after it too (a retry that fails as well). */
void shim_slab_fail_run(unsigned long nth, unsigned long count);
unsigned long shim_slab_failures(void);
long shim_slab_live_total(void);

#endif /* _SHIM_LINUX_SLAB_H */
