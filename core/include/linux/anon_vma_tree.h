/* SPDX-License-Identifier: GPL-2.0 */
/*
 * anon_vma_tree_t and the lazy folio->mapping encoding (CONFIG_ANON_VMA_LAZY).
 *
 * vma->anon_vma keeps its type, struct anon_vma *, so that the many tests
 * for NULL stay correct unchanged, but it may hold a tagged value in its two
 * low bits. Only the helpers below build or take one apart:
 *
 *   NULL                     no anonymous folio has been mapped here
 *   anon_vma                 REGULAR: the mainline anon_vma and its chains
 *   anon_vma_lazy | 1        VMA: a lazy root, the only rmap state this
 *                            VMA has; it is linked on the root by
 *                            vma->anon_vma_chain
 *   anon_vma | 2             PARENT: inherited at fork, chained into the
 *                            parent's anon_vma, owning none yet
 *   tag 3                    reserved; rejected with a WARN, never decoded
 *
 * A lazily mapped anonymous folio has folio->mapping = root | 0x2, the KSM
 * bit alone. KSM folios (0x3) and regular anonymous folios (0x1) keep their
 * encoding. Bit 2 is clear in a lazy value because roots are 8-byte
 * aligned, which leaves room for a host to mark other 0x2 users (6.12's
 * non-LRU movable pages) with it.
 */
#ifndef _LINUX_ANON_VMA_TREE_H
#define _LINUX_ANON_VMA_TREE_H

#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/mm_types.h>

struct anon_vma;
struct anon_vma_lazy;

#define ANON_VMA_TREE_REGULAR	0UL
#define ANON_VMA_TREE_VMA	1UL
#define ANON_VMA_TREE_PARENT	2UL
#define ANON_VMA_TREE_INVALID	3UL
#define ANON_VMA_TREE_BITS	2
#define ANON_VMA_TREE_MASK	((1UL << ANON_VMA_TREE_BITS) - 1)

/* The decoded state of a VMA; ANON_VMA_STATE_BAD is tag 3 or a tag on NULL. */
enum anon_vma_state {
	ANON_VMA_STATE_NONE,
	ANON_VMA_STATE_REGULAR,
	ANON_VMA_STATE_LAZY,
	ANON_VMA_STATE_PARENT,
	ANON_VMA_STATE_BAD,
};

/* A sparse-checked scalar, as rmap_t: only the helpers below convert it. */
typedef unsigned long __bitwise anon_vma_tree_t;

static inline unsigned long anon_vma_tree_val(anon_vma_tree_t tree)
{
	return (__force unsigned long)tree;
}

static inline anon_vma_tree_t __anon_vma_tree(unsigned long val)
{
	return (__force anon_vma_tree_t)val;
}

static inline anon_vma_tree_t __anon_vma_tree_make(const void *ptr,
						   unsigned long tag)
{
	unsigned long val = (unsigned long)ptr;

	if (WARN_ON_ONCE(!ptr || (val & ANON_VMA_TREE_MASK) ||
			 tag == ANON_VMA_TREE_INVALID))
		return __anon_vma_tree(0);
	return __anon_vma_tree(val | tag);
}

static inline anon_vma_tree_t anon_vma_tree_none(void)
{
	return __anon_vma_tree(0);
}

static inline anon_vma_tree_t anon_vma_tree_regular(struct anon_vma *anon_vma)
{
	return __anon_vma_tree_make(anon_vma, ANON_VMA_TREE_REGULAR);
}

static inline anon_vma_tree_t anon_vma_tree_lazy(struct anon_vma_lazy *root)
{
	return __anon_vma_tree_make(root, ANON_VMA_TREE_VMA);
}

static inline anon_vma_tree_t anon_vma_tree_parent(struct anon_vma *anon_vma)
{
	return __anon_vma_tree_make(anon_vma, ANON_VMA_TREE_PARENT);
}

static inline enum anon_vma_state anon_vma_tree_state(anon_vma_tree_t tree)
{
	unsigned long val = anon_vma_tree_val(tree);
	unsigned long tag = val & ANON_VMA_TREE_MASK;

	if (!val)
		return ANON_VMA_STATE_NONE;
	if (WARN_ON_ONCE(tag == ANON_VMA_TREE_INVALID ||
			 !(val & ~ANON_VMA_TREE_MASK)))
		return ANON_VMA_STATE_BAD;
	if (tag == ANON_VMA_TREE_VMA)
		return ANON_VMA_STATE_LAZY;
	if (tag == ANON_VMA_TREE_PARENT)
		return ANON_VMA_STATE_PARENT;
	return ANON_VMA_STATE_REGULAR;
}

/* 0 for a well-formed value, -EINVAL (after a WARN) for tag 3. */
static inline int anon_vma_tree_check(anon_vma_tree_t tree)
{
	return anon_vma_tree_state(tree) == ANON_VMA_STATE_BAD ? -EINVAL : 0;
}

static inline void *__anon_vma_tree_ptr(anon_vma_tree_t tree,
					enum anon_vma_state want)
{
	if (anon_vma_tree_state(tree) != want)
		return NULL;
	return (void *)(anon_vma_tree_val(tree) & ~ANON_VMA_TREE_MASK);
}

static inline struct anon_vma *anon_vma_tree_to_regular(anon_vma_tree_t tree)
{
	return __anon_vma_tree_ptr(tree, ANON_VMA_STATE_REGULAR);
}

static inline struct anon_vma_lazy *anon_vma_tree_to_lazy(anon_vma_tree_t tree)
{
	return __anon_vma_tree_ptr(tree, ANON_VMA_STATE_LAZY);
}

static inline struct anon_vma *anon_vma_tree_to_parent(anon_vma_tree_t tree)
{
	return __anon_vma_tree_ptr(tree, ANON_VMA_STATE_PARENT);
}

static inline bool anon_vma_tree_equal(anon_vma_tree_t a, anon_vma_tree_t b)
{
	return a == b;
}

static inline anon_vma_tree_t vma_anon_vma_tree(const struct vm_area_struct *vma)
{
	return __anon_vma_tree((unsigned long)READ_ONCE(vma->anon_vma));
}

/* As vma_anon_vma_tree(), ordered before what the caller reads next. */
static inline anon_vma_tree_t
vma_anon_vma_tree_acquire(const struct vm_area_struct *vma)
{
	/* Pairs with the release in vma_publish_anon_vma_tree(). */
	return __anon_vma_tree((unsigned long)smp_load_acquire(&vma->anon_vma));
}

static inline void vma_set_anon_vma_tree(struct vm_area_struct *vma,
					 anon_vma_tree_t tree)
{
	WRITE_ONCE(vma->anon_vma, (struct anon_vma *)anon_vma_tree_val(tree));
}

static inline void vma_publish_anon_vma_tree(struct vm_area_struct *vma,
					     anon_vma_tree_t tree)
{
	/*
	 * Release: whoever reads the tree (READ_ONCE, then an address
	 * dependency) sees the root or anon_vma initialised.
	 */
	smp_store_release(&vma->anon_vma,
			  (struct anon_vma *)anon_vma_tree_val(tree));
}

static inline bool vma_anon_vma_is_lazy(const struct vm_area_struct *vma)
{
	return IS_ENABLED(CONFIG_ANON_VMA_LAZY) &&
	       anon_vma_tree_state(vma_anon_vma_tree(vma)) == ANON_VMA_STATE_LAZY;
}

static inline bool vma_anon_vma_is_parent(const struct vm_area_struct *vma)
{
	return IS_ENABLED(CONFIG_ANON_VMA_LAZY) &&
	       anon_vma_tree_state(vma_anon_vma_tree(vma)) == ANON_VMA_STATE_PARENT;
}

/*
 * The anon_vma a REGULAR tree owns or a PARENT tree inherited: the one whose
 * interval tree holds the VMA's own chain. NULL for lazy or no tree.
 */
static inline struct anon_vma *anon_vma_tree_to_anon_vma(anon_vma_tree_t tree)
{
	struct anon_vma *anon_vma = anon_vma_tree_to_regular(tree);

	return anon_vma ? anon_vma : anon_vma_tree_to_parent(tree);
}

static inline struct anon_vma *vma_regular_anon_vma(const struct vm_area_struct *vma)
{
	return anon_vma_tree_to_anon_vma(vma_anon_vma_tree(vma));
}

/*
 * A struct anon_vma * that is really a tagged value: a VMA's tree, or what
 * folio_get_anon_vma() gave for a lazy folio. anon_vma_lock_*() and
 * get/put_anon_vma() pass such a value to the functions below.
 */
static inline bool anon_vma_is_tagged(const struct anon_vma *anon_vma)
{
	return IS_ENABLED(CONFIG_ANON_VMA_LAZY) &&
	       ((unsigned long)anon_vma & ANON_VMA_TREE_MASK);
}

static inline anon_vma_tree_t anon_vma_as_tree(const struct anon_vma *anon_vma)
{
	return __anon_vma_tree((unsigned long)anon_vma);
}

void anon_vma_tree_lock_write(anon_vma_tree_t tree);
void anon_vma_tree_unlock_write(anon_vma_tree_t tree);
void anon_vma_tree_lock_read(anon_vma_tree_t tree);
void anon_vma_tree_unlock_read(anon_vma_tree_t tree);
int anon_vma_tree_trylock_read(anon_vma_tree_t tree);
int anon_vma_tree_trylock_write(anon_vma_tree_t tree);
void anon_vma_tree_get(anon_vma_tree_t tree);
void anon_vma_tree_put(anon_vma_tree_t tree);
struct anon_vma *anon_vma_tree_settle_locked(anon_vma_tree_t tree);
bool anon_vma_tree_forwarded(anon_vma_tree_t tree);

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

static inline bool folio_test_anon_vma_lazy(const struct folio *folio)
{
	return anon_mapping_is_lazy((unsigned long)READ_ONCE(folio->mapping));
}

/*
 * The lazy root @folio names, or NULL. The root may already be gone unless
 * the caller holds the folio mapped, or holds RCU and a reference it took.
 */
static inline struct anon_vma_lazy *folio_anon_vma_lazy(const struct folio *folio)
{
	return anon_mapping_to_lazy((unsigned long)READ_ONCE(folio->mapping));
}

/* Mapping and flag in one store, so no walker sees one without the other. */
static inline void folio_set_anon_vma_lazy(struct folio *folio,
					   struct anon_vma_lazy *root)
{
	WRITE_ONCE(folio->mapping, (struct address_space *)
		   ((unsigned long)root | FOLIO_MAPPING_ANON_VMA_LAZY));
}

#endif /* _LINUX_ANON_VMA_TREE_H */
