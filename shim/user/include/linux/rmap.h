/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/rmap.h>: struct anon_vma and
 * anon_vma_chain with mainline's fields and meaning, the lock and reference
 * helpers, and the rmap entry points of the userspace model
 * (shim/user/src/rmap_model.c). The interval tree is a list here; the model
 * filters it by address as the tree's query would.
 */
#ifndef _SHIM_LINUX_RMAP_H
#define _SHIM_LINUX_RMAP_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <linux/anon_vma_tree.h>

struct anon_vma_lazy;

struct anon_vma {
	struct anon_vma *root;
	struct rw_semaphore rwsem;
	atomic_t refcount;
	unsigned long num_children;
	unsigned long num_active_vmas;
	struct anon_vma *parent;
	/* Stand-in for the interval tree: every chain, linked by avc->rb. */
	struct list_head rb_root;
	/* The lazy root this anon_vma was upgraded from, kept until we go. */
	struct anon_vma_lazy *lazy_origin;
};

struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;
	struct list_head rb;
};

struct rmap_walk_control {
	void *arg;
	bool try_lock;
	bool contended;
	bool (*rmap_one)(struct folio *folio, struct vm_area_struct *vma,
			 unsigned long addr, void *arg);
	int (*done)(struct folio *folio);
	/* Here: find the folio's anon_vma, referenced, or NULL to skip. */
	struct anon_vma *(*anon_lock)(const struct folio *folio,
				      struct rmap_walk_control *rwc);
	bool (*invalid_vma)(struct vm_area_struct *vma, void *arg);
};

void __put_anon_vma(struct anon_vma *anon_vma);

/* As the ANON_VMA_LAZY series makes them: tagged values go to the core. */
static inline void get_anon_vma(struct anon_vma *anon_vma)
{
	if (anon_vma_is_tagged(anon_vma))
		return anon_vma_tree_get(anon_vma_as_tree(anon_vma));
	atomic_inc(&anon_vma->refcount);
}

static inline void put_anon_vma(struct anon_vma *anon_vma)
{
	if (anon_vma_is_tagged(anon_vma))
		return anon_vma_tree_put(anon_vma_as_tree(anon_vma));
	if (atomic_dec_and_test(&anon_vma->refcount))
		__put_anon_vma(anon_vma);
}

static inline void anon_vma_lock_write(struct anon_vma *anon_vma)
{
	if (anon_vma_is_tagged(anon_vma))
		return anon_vma_tree_lock_write(anon_vma_as_tree(anon_vma));
	down_write(&anon_vma->root->rwsem);
}

static inline void anon_vma_unlock_write(struct anon_vma *anon_vma)
{
	if (anon_vma_is_tagged(anon_vma))
		return anon_vma_tree_unlock_write(anon_vma_as_tree(anon_vma));
	up_write(&anon_vma->root->rwsem);
}

static inline int anon_vma_trylock_write(struct anon_vma *anon_vma)
{
	if (anon_vma_is_tagged(anon_vma))
		return anon_vma_tree_trylock_write(anon_vma_as_tree(anon_vma));
	return down_write_trylock(&anon_vma->root->rwsem);
}

static inline void anon_vma_lock_read(struct anon_vma *anon_vma)
{
	if (anon_vma_is_tagged(anon_vma))
		return anon_vma_tree_lock_read(anon_vma_as_tree(anon_vma));
	down_read(&anon_vma->root->rwsem);
}

static inline int anon_vma_trylock_read(struct anon_vma *anon_vma)
{
	if (anon_vma_is_tagged(anon_vma))
		return anon_vma_tree_trylock_read(anon_vma_as_tree(anon_vma));
	return down_read_trylock(&anon_vma->root->rwsem);
}

static inline void anon_vma_unlock_read(struct anon_vma *anon_vma)
{
	if (anon_vma_is_tagged(anon_vma))
		return anon_vma_tree_unlock_read(anon_vma_as_tree(anon_vma));
	up_read(&anon_vma->root->rwsem);
}

/* As the series adds it: a locked handle that fork may have upgraded. */
static inline struct anon_vma *anon_vma_settle_locked(struct anon_vma *anon_vma)
{
	if (!anon_vma_is_tagged(anon_vma))
		return anon_vma;
	return anon_vma_tree_settle_locked(anon_vma_as_tree(anon_vma));
}

/* The model's mm/rmap.c. */
int anon_vma_model_init(void);
int __anon_vma_prepare(struct vm_area_struct *vma);
int anon_vma_prepare(struct vm_area_struct *vma);
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);
struct anon_vma *folio_get_anon_vma(struct folio *folio);
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address);
void __folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, bool exclusive);
void folio_add_anon_rmap(struct folio *folio, struct vm_area_struct *vma);
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma);
void folio_remove_rmap(struct folio *folio);
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc);
void rmap_walk_locked(struct folio *folio, struct rmap_walk_control *rwc);
struct anon_vma *folio_lock_anon_vma_read(const struct folio *folio,
					  struct rmap_walk_control *rwc);
/* Test control: how often the core counted an enum anon_vma_lazy_event. */
unsigned long anon_vma_lazy_model_events(unsigned int event);

#endif /* _SHIM_LINUX_RMAP_H */
