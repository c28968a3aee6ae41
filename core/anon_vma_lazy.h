/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ANON_VMA_LAZY: anonymous reverse mapping without an anon_vma until the
 * memory is shared. See Documentation/mm/anon_vma_lazy.rst for the states,
 * and the argument that the walk is complete.
 *
 * A lazy root stands for one VMA's worth of anonymous memory, and is
 * shared by every VMA that split, merge or a move makes from it, by a few
 * neighbours that first fault beside it, and by the VMAs forked from those
 * (a fork family, up to vm.anon_vma_lazy_family_max VMAs). It lists those
 * VMAs through their (otherwise unused) vma->anon_vma_chain, and the walk
 * addresses a folio in each of them from the VMA's own vm_start and
 * vm_pgoff, exactly as the anon_vma interval tree does. An mm whose VMAs
 * must leave the root (a fork past the cap, a KSM merge) moves them to a
 * regular anon_vma; the root forwards walkers there for as long as that
 * anon_vma lives, and keeps listing the other mms' VMAs.
 */
#ifndef __MM_ANON_VMA_LAZY_H
#define __MM_ANON_VMA_LAZY_H

#include "anon_vma_lazy_internal.h"

struct anon_vma_lazy {
	/* One per listed VMA, one per anon_vma naming it its origin, walkers. */
	refcount_t refcount;
	/*
	 * VMAs on @vmas; written under the root lock, read under it or
	 * mmap_lock. Once it is 0 on a root that forwards, it stays 0.
	 */
	unsigned int nr_vmas;
	/*
	 * Where the VMAs of the mms that left the root went, set under the
	 * root lock. While VMAs are still listed too, the root holds a
	 * reference on it, so that it never dies before the list empties.
	 */
	struct anon_vma *upgraded;
	union {
		struct list_head vmas;
		struct rcu_head rcu;
		/*
		 * The slab's free pointer, here rather than after the object
		 * (which would make it 40 bytes): a stale reader only ever
		 * tries the refcount of a freed root, never reads this.
		 */
		freeptr_t freeptr;
	};
};

/* What the root did, for vmstat (the host maps these to its counters). */
enum anon_vma_lazy_event {
	ANON_VMA_LAZY_ROOT_ALLOC,
	ANON_VMA_LAZY_ROOT_REUSE,
	ANON_VMA_LAZY_UPGRADE_FORK,
	ANON_VMA_LAZY_UPGRADE_KSM,
	ANON_VMA_LAZY_PARENT_FORK,
	ANON_VMA_LAZY_PARENT_ADOPT,
	ANON_VMA_LAZY_FAMILY_JOIN,
	NR_ANON_VMA_LAZY_EVENTS
};

/*
 * Runtime policy: vm.anon_vma_lazy, vm.anon_vma_lazy_max_pages and
 * vm.anon_vma_lazy_family_max (0: every fork moves the parent off its root).
 */
extern int sysctl_anon_vma_lazy;
extern unsigned long sysctl_anon_vma_lazy_max_pages;
extern int sysctl_anon_vma_lazy_family_max;
extern struct ctl_table anon_vma_lazy_sysctls[];
extern const unsigned int anon_vma_lazy_nr_sysctls;

int __init anon_vma_lazy_init(void);
int __init anon_vma_lazy_sysctl_init(void);
bool anon_vma_lazy_eligible(struct vm_area_struct *vma);

/* The lock that protects a root's VMA list and the VMAs' ranges on it. */
void anon_vma_lazy_lock_write(struct anon_vma_lazy *root);
void anon_vma_lazy_unlock_write(struct anon_vma_lazy *root);
void anon_vma_lazy_lock_read(struct anon_vma_lazy *root);
int anon_vma_lazy_trylock_read(struct anon_vma_lazy *root);
int anon_vma_lazy_trylock_write(struct anon_vma_lazy *root);
void anon_vma_lazy_unlock_read(struct anon_vma_lazy *root);
void anon_vma_lazy_assert_locked(struct anon_vma_lazy *root);

struct anon_vma_lazy *anon_vma_lazy_alloc(void);
void anon_vma_lazy_get(struct anon_vma_lazy *root);
void anon_vma_lazy_put(struct anon_vma_lazy *root);
bool anon_vma_lazy_tryget(struct anon_vma_lazy *root);

/* What a lazy folio's mapping names (the encoding is in anon_vma_handle.h). */
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

/*
 * How many VMAs may share a root by faulting beside it without being able
 * to merge (split and mremap add VMAs to a root beyond this): each walk of
 * their folios skips the others with a subtraction.
 */
#define ANON_VMA_LAZY_SHARE_MAX	4

/*
 * How many VMAs a root may list for a fork to join the child's VMA to it
 * rather than move the parent's VMAs to an anon_vma: the bound on the walk
 * of a folio the family shares, as the anon_vma tree of a fork tree bounds
 * it in mainline by the number of processes.
 */
#define ANON_VMA_LAZY_FAMILY_MAX	64
#define ANON_VMA_LAZY_FAMILY_LIMIT	1024

/* The first anonymous fault, and the states that follow it. */
struct anon_vma_lazy *anon_vma_lazy_shareable(const struct vm_area_struct *near,
					      const struct vm_area_struct *vma);
int anon_vma_lazy_prepare(struct vm_area_struct *vma,
			  struct anon_vma_lazy *reuse);
int anon_vma_lazy_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
bool anon_vma_lazy_unlink(struct vm_area_struct *vma);
bool __anon_vma_lazy_unlink(struct vm_area_struct *vma,
			    struct anon_vma_lazy *root);

/* Sharing begins. */
int anon_vma_lazy_upgrade(struct anon_vma_lazy *root, struct mm_struct *mm,
			  enum anon_vma_lazy_event why);
int anon_vma_lazy_upgrade_vma(struct vm_area_struct *vma,
			      enum anon_vma_lazy_event why);
bool anon_vma_lazy_fork_join(struct vm_area_struct *vma,
			     struct vm_area_struct *pvma);
bool anon_vma_lazy_joined(struct vm_area_struct *vma);
int anon_vma_lazy_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
int anon_vma_lazy_parent_adopt(struct vm_area_struct *vma);
void anon_vma_lazy_forward_release(struct anon_vma_lazy *root,
				   struct anon_vma *anon_vma);
bool folio_anon_vma_lazy_rewrite(struct folio *folio);
void folio_anon_vma_lazy_rewrite_forked(struct folio *folio);
int folio_set_anon_mapping(struct folio *folio, struct vm_area_struct *vma,
			   bool exclusive);

/* Tagged handles (the lock, get and put ones are in anon_vma_handle.h). */
struct anon_vma *folio_get_anon_vma_handle(struct folio *folio);
bool folio_anon_vma_handle_matches(const struct folio *folio,
				   const struct vm_area_struct *vma);
void anon_vma_lazy_lock_all(struct anon_vma_lazy *root, struct mm_struct *mm);
void anon_vma_lazy_unlock_all(struct anon_vma_lazy *root);

/* Resolution and the walk. */
unsigned long anon_vma_lazy_address(const struct vm_area_struct *vma,
				    pgoff_t pgoff, unsigned long nr_pages);
struct anon_vma_lazy *folio_get_anon_vma_lazy(const struct folio *folio);
struct anon_vma *anon_vma_lazy_forward(struct anon_vma_lazy *root);
struct anon_vma *anon_vma_lazy_forward_get(struct anon_vma_lazy *root);
struct anon_vma *rmap_walk_anon_lazy(struct folio *folio,
				     struct rmap_walk_control *rwc,
				     bool locked,
				     struct anon_vma_lazy **held);
void rmap_walk_anon_lazy_done(struct anon_vma_lazy *held);

#define anon_vma_lazy_for_each_vma(root, vma) \
	list_for_each_entry(vma, &(root)->vmas, anon_vma_chain)

/* Counts an event in /proc/vmstat (anon_lazy_*). */
void anon_vma_lazy_count(enum anon_vma_lazy_event event);
#ifdef CONFIG_ANON_VMA_LAZY
extern const enum vm_event_item anon_vma_lazy_vm_event[NR_ANON_VMA_LAZY_EVENTS];
#endif

#endif /* __MM_ANON_VMA_LAZY_H */
