/* SPDX-License-Identifier: GPL-2.0 */
/*
 * anon_vma_handle_t and the lazy folio->mapping encoding (CONFIG_ANON_VMA_LAZY).
 *
 * vma->anon_vma keeps its type, struct anon_vma *, so that the many tests
 * for NULL stay correct unchanged, but it may hold a tagged value in its two
 * low bits. Only the helpers below build or take one apart:
 *
 *   NULL                     no anonymous folio has been mapped here
 *   anon_vma                 REGULAR: the mainline anon_vma and its chains
 *   anon_vma_lazy | 1        LAZY: a lazy root, the only rmap state this
 *                            VMA has; it is linked on the root by
 *                            vma->anon_vma_chain
 *   anon_vma | 2             PARENT: inherited at fork, chained into the
 *                            parent's anon_vma, owning none yet
 *   tag 3                    never in a VMA: rejected there with a WARN,
 *                            never decoded as a state. Only what
 *                            anon_vma_settle_locked() returns for a root
 *                            locked together with the anon_vma it
 *                            forwards to carries it (mm/anon_vma_handle.c)
 *
 * A lazily mapped anonymous folio has folio->mapping = root | 0x2, the KSM
 * bit alone. KSM folios (0x3) and regular anonymous folios (0x1) keep their
 * encoding. Bit 2 is clear in a lazy value because roots are 8-byte
 * aligned, which leaves room for a host to mark other 0x2 users (6.12's
 * non-LRU movable pages) with it.
 */
#ifndef _LINUX_ANON_VMA_HANDLE_H
#define _LINUX_ANON_VMA_HANDLE_H

#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/mm_types.h>

struct anon_vma;
struct anon_vma_lazy;

#define ANON_VMA_HANDLE_REGULAR	0UL
#define ANON_VMA_HANDLE_LAZY	1UL
#define ANON_VMA_HANDLE_PARENT	2UL
#define ANON_VMA_HANDLE_INVALID	3UL
#define ANON_VMA_HANDLE_BITS	2
#define ANON_VMA_HANDLE_MASK	((1UL << ANON_VMA_HANDLE_BITS) - 1)

/* The decoded state of a VMA; ANON_VMA_STATE_BAD is tag 3 or a tag on NULL. */
enum anon_vma_state {
	ANON_VMA_STATE_NONE,
	ANON_VMA_STATE_REGULAR,
	ANON_VMA_STATE_LAZY,
	ANON_VMA_STATE_PARENT,
	ANON_VMA_STATE_BAD,
};

/* A sparse-checked scalar, as rmap_t: only the helpers below convert it. */
typedef unsigned long __bitwise anon_vma_handle_t;

static inline unsigned long anon_vma_handle_val(anon_vma_handle_t handle)
{
	return (__force unsigned long)handle;
}

static inline anon_vma_handle_t __anon_vma_handle(unsigned long val)
{
	return (__force anon_vma_handle_t)val;
}

static inline anon_vma_handle_t __anon_vma_handle_make(const void *ptr,
						       unsigned long tag)
{
	unsigned long val = (unsigned long)ptr;

	if (WARN_ON_ONCE(!ptr || (val & ANON_VMA_HANDLE_MASK) ||
			 tag == ANON_VMA_HANDLE_INVALID))
		return __anon_vma_handle(0);
	return __anon_vma_handle(val | tag);
}

static inline anon_vma_handle_t anon_vma_handle_none(void)
{
	return __anon_vma_handle(0);
}

static inline anon_vma_handle_t anon_vma_handle_regular(struct anon_vma *anon_vma)
{
	return __anon_vma_handle_make(anon_vma, ANON_VMA_HANDLE_REGULAR);
}

static inline anon_vma_handle_t anon_vma_handle_lazy(struct anon_vma_lazy *root)
{
	return __anon_vma_handle_make(root, ANON_VMA_HANDLE_LAZY);
}

static inline anon_vma_handle_t anon_vma_handle_parent(struct anon_vma *anon_vma)
{
	return __anon_vma_handle_make(anon_vma, ANON_VMA_HANDLE_PARENT);
}

static inline enum anon_vma_state anon_vma_handle_state(anon_vma_handle_t handle)
{
	unsigned long val = anon_vma_handle_val(handle);
	unsigned long tag = val & ANON_VMA_HANDLE_MASK;

	if (!val)
		return ANON_VMA_STATE_NONE;
	if (WARN_ON_ONCE(tag == ANON_VMA_HANDLE_INVALID ||
			 !(val & ~ANON_VMA_HANDLE_MASK)))
		return ANON_VMA_STATE_BAD;
	if (tag == ANON_VMA_HANDLE_LAZY)
		return ANON_VMA_STATE_LAZY;
	if (tag == ANON_VMA_HANDLE_PARENT)
		return ANON_VMA_STATE_PARENT;
	return ANON_VMA_STATE_REGULAR;
}

/* 0 for a well-formed value, -EINVAL (after a WARN) for tag 3. */
static inline int anon_vma_handle_check(anon_vma_handle_t handle)
{
	return anon_vma_handle_state(handle) == ANON_VMA_STATE_BAD ? -EINVAL : 0;
}

static inline void *__anon_vma_handle_ptr(anon_vma_handle_t handle,
					  enum anon_vma_state want)
{
	if (anon_vma_handle_state(handle) != want)
		return NULL;
	return (void *)(anon_vma_handle_val(handle) & ~ANON_VMA_HANDLE_MASK);
}

static inline struct anon_vma *anon_vma_handle_to_regular(anon_vma_handle_t handle)
{
	return __anon_vma_handle_ptr(handle, ANON_VMA_STATE_REGULAR);
}

static inline struct anon_vma_lazy *anon_vma_handle_to_lazy(anon_vma_handle_t handle)
{
	return __anon_vma_handle_ptr(handle, ANON_VMA_STATE_LAZY);
}

static inline struct anon_vma *anon_vma_handle_to_parent(anon_vma_handle_t handle)
{
	return __anon_vma_handle_ptr(handle, ANON_VMA_STATE_PARENT);
}

static inline bool anon_vma_handle_equal(anon_vma_handle_t a, anon_vma_handle_t b)
{
	return a == b;
}

static inline anon_vma_handle_t vma_anon_vma_handle(const struct vm_area_struct *vma)
{
	return __anon_vma_handle((unsigned long)READ_ONCE(vma->anon_vma));
}

/* As vma_anon_vma_handle(), ordered before what the caller reads next. */
static inline anon_vma_handle_t
vma_anon_vma_handle_acquire(const struct vm_area_struct *vma)
{
	/* Pairs with the release in vma_publish_anon_vma_handle(). */
	return __anon_vma_handle((unsigned long)smp_load_acquire(&vma->anon_vma));
}

static inline void vma_set_anon_vma_handle(struct vm_area_struct *vma,
					   anon_vma_handle_t handle)
{
	WRITE_ONCE(vma->anon_vma, (struct anon_vma *)anon_vma_handle_val(handle));
}

static inline void vma_publish_anon_vma_handle(struct vm_area_struct *vma,
					       anon_vma_handle_t handle)
{
	/*
	 * Release: whoever reads the handle (READ_ONCE, then an address
	 * dependency) sees the root or anon_vma initialised.
	 */
	smp_store_release(&vma->anon_vma,
			  (struct anon_vma *)anon_vma_handle_val(handle));
}

static inline bool vma_anon_vma_is_lazy(const struct vm_area_struct *vma)
{
	return IS_ENABLED(CONFIG_ANON_VMA_LAZY) &&
	       anon_vma_handle_state(vma_anon_vma_handle(vma)) == ANON_VMA_STATE_LAZY;
}

static inline bool vma_anon_vma_is_parent(const struct vm_area_struct *vma)
{
	return IS_ENABLED(CONFIG_ANON_VMA_LAZY) &&
	       anon_vma_handle_state(vma_anon_vma_handle(vma)) == ANON_VMA_STATE_PARENT;
}

/*
 * The anon_vma a REGULAR handle owns or a PARENT handle inherited: the one whose
 * interval tree holds the VMA's own chain. NULL for a lazy handle or none.
 */
static inline struct anon_vma *anon_vma_handle_to_anon_vma(anon_vma_handle_t handle)
{
	struct anon_vma *anon_vma = anon_vma_handle_to_regular(handle);

	return anon_vma ? anon_vma : anon_vma_handle_to_parent(handle);
}

static inline struct anon_vma *vma_regular_anon_vma(const struct vm_area_struct *vma)
{
	return anon_vma_handle_to_anon_vma(vma_anon_vma_handle(vma));
}

/*
 * A struct anon_vma * that is really a tagged value: a VMA's handle, or what
 * folio_get_anon_vma() gave for a lazy folio. anon_vma_lock_*() and
 * get/put_anon_vma() pass such a value to the functions below.
 */
static inline bool anon_vma_is_tagged(const struct anon_vma *anon_vma)
{
	return IS_ENABLED(CONFIG_ANON_VMA_LAZY) &&
	       ((unsigned long)anon_vma & ANON_VMA_HANDLE_MASK);
}

static inline anon_vma_handle_t anon_vma_as_handle(const struct anon_vma *anon_vma)
{
	return __anon_vma_handle((unsigned long)anon_vma);
}

void anon_vma_handle_lock_write(anon_vma_handle_t handle);
void anon_vma_handle_unlock_write(anon_vma_handle_t handle);
void anon_vma_handle_lock_read(anon_vma_handle_t handle);
void anon_vma_handle_unlock_read(anon_vma_handle_t handle);
int anon_vma_handle_trylock_read(anon_vma_handle_t handle);
int anon_vma_handle_trylock_write(anon_vma_handle_t handle);
void anon_vma_handle_get(anon_vma_handle_t handle);
void anon_vma_handle_put(anon_vma_handle_t handle);
struct anon_vma *anon_vma_handle_settle_locked(anon_vma_handle_t handle);
bool anon_vma_handle_forwarded(anon_vma_handle_t handle);

/*
 * The address that page offset 0 would have in @vma. Split and merge keep
 * it, so every VMA sharing a lazy root agrees on where a folio index lives.
 */
static inline unsigned long vma_mapping_base(const struct vm_area_struct *vma)
{
	return vma->vm_start - (vma->vm_pgoff << PAGE_SHIFT);
}

#define FOLIO_MAPPING_ANON_VMA_LAZY	0x2UL
#define FOLIO_MAPPING_LAZY_MASK		0x7UL

/* Without the option, 0x2 alone is a movable page, never a lazy folio. */
static inline bool anon_mapping_is_lazy(unsigned long mapping)
{
	return IS_ENABLED(CONFIG_ANON_VMA_LAZY) &&
	       (mapping & FOLIO_MAPPING_LAZY_MASK) == FOLIO_MAPPING_ANON_VMA_LAZY;
}

static inline struct anon_vma_lazy *anon_mapping_to_lazy(unsigned long mapping)
{
	if (!anon_mapping_is_lazy(mapping))
		return NULL;
	return (struct anon_vma_lazy *)(mapping & ~FOLIO_MAPPING_LAZY_MASK);
}

/*
 * The rules mm/vma.c (and tools/testing/vma, which builds it in userspace)
 * follows for lazy and PARENT handles: how far find_shareable_lazy_root()
 * looks on each side of a first-faulted VMA (two, to see past the guard
 * page or never-faulted gap that often sits between), and when two VMAs
 * may share a root or merge.
 */
#define ANON_VMA_LAZY_SHARE_SCAN	2

/*
 * @near is a neighbour of @vma that the host found compatible (adjacent,
 * same flags and policy, continuous pgoff): its root can serve @vma too, so
 * that the two can merge again later.
 */
static inline struct anon_vma_lazy *
anon_vma_lazy_reusable(const struct vm_area_struct *near,
		       const struct vm_area_struct *vma)
{
	struct anon_vma_lazy *root;

	root = anon_vma_handle_to_lazy(vma_anon_vma_handle(near));
	if (!root || near->vm_mm != vma->vm_mm)
		return NULL;
	if (vma_mapping_base(near) != vma_mapping_base(vma))
		return NULL;
	return root;
}

/*
 * May VMAs with trees @a and @b become one? Only when every folio would be
 * found the same way afterwards. As in is_mergeable_anon_vma(), @vma, if
 * given, is the existing neighbour, whose handle is @b. VMAs of other
 * mapping bases may share a lazy root, but merge already demands continuous
 * pgoff, and so one base.
 */
static inline bool anon_vma_handle_mergeable(anon_vma_handle_t a,
					     anon_vma_handle_t b,
					     const struct vm_area_struct *vma)
{
	enum anon_vma_state sa = anon_vma_handle_state(a);
	enum anon_vma_state sb = anon_vma_handle_state(b);

	if (sa == ANON_VMA_STATE_BAD || sb == ANON_VMA_STATE_BAD)
		return false;
	if (sa != ANON_VMA_STATE_NONE && sb != ANON_VMA_STATE_NONE)
		return anon_vma_handle_equal(a, b);
	if (sa == ANON_VMA_STATE_NONE && sb == ANON_VMA_STATE_NONE)
		return true;
	/*
	 * One side has no handle. Mainline wants it to be the proposed range,
	 * not the neighbour (whose empty chain list is not singular), and
	 * vma_expand() relies on that: a neighbour growing over a new range
	 * does not take the range's handle. mremap() moving a lazy range back
	 * beside a never-faulted VMA must not merge into it.
	 */
	if (vma && sb == ANON_VMA_STATE_NONE)
		return false;
	switch (sa == ANON_VMA_STATE_NONE ? sb : sa) {
	case ANON_VMA_STATE_LAZY:
		return true;
	case ANON_VMA_STATE_PARENT:
		/* Inherited: eager would refuse (two chains), so do we. */
		return false;
	default:
		return !vma || list_is_singular(&vma->anon_vma_chain);
	}
}

#endif /* _LINUX_ANON_VMA_HANDLE_H */
