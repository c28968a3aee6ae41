/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/rmap.h>: struct anon_vma and anon_vma_chain
 * with mainline's fields, struct rmap_walk_control, and the anon_vma
 * functions mm/anon_vma.c (built here from the patched tree) and the mm
 * model's stand-in for mm/rmap.c define. The inline lock, reference and
 * prepare helpers are the tree's own (rmap-helpers.h, generated from the
 * patched include/linux/rmap.h by seam/user/gen/extract.sh).
 */
#ifndef _SHIM_LINUX_RMAP_H
#define _SHIM_LINUX_RMAP_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/anon_vma_handle.h>

struct anon_vma_lazy;

struct anon_vma {
	struct anon_vma *root;
	struct rw_semaphore rwsem;
	atomic_t refcount;
	unsigned long num_children;
	unsigned long num_active_vmas;
	struct anon_vma *parent;
	struct rb_root_cached rb_root;
	struct anon_vma_lazy *lazy_origin;
};

struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;
	struct rb_node rb;
	unsigned long rb_subtree_last;
};

struct rmap_walk_control {
	void *arg;
	bool try_lock;
	bool contended;
	bool (*rmap_one)(struct folio *folio, struct vm_area_struct *vma,
			 unsigned long addr, void *arg);
	int (*done)(struct folio *folio);
	struct anon_vma *(*anon_lock)(struct folio *folio,
				      struct rmap_walk_control *rwc);
	bool (*invalid_vma)(struct vm_area_struct *vma, void *arg);
};

/* mm/anon_vma.c */
void __put_anon_vma(struct anon_vma *anon_vma);
void anon_vma_init(void);
int __anon_vma_prepare(struct vm_area_struct *vma);
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);
struct anon_vma *folio_get_anon_vma(struct folio *folio);
struct anon_vma *folio_lock_anon_vma_read(struct folio *folio,
					  struct rmap_walk_control *rwc);
void rmap_walk_anon(struct folio *folio, struct rmap_walk_control *rwc,
		    bool locked);

#include "rmap-helpers.h"

/* The rest of mm/rmap.c, as stood in for by seam/user/src/rmap.c. */
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address);
void __folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, bool exclusive);
void folio_add_anon_rmap(struct folio *folio, struct vm_area_struct *vma);
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma);
void folio_remove_rmap(struct folio *folio);
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc);
void rmap_walk_locked(struct folio *folio, struct rmap_walk_control *rwc);
/* mm/vma.c, over the stand-in mm's VMA list (seam/user/src/vma.c). */
struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma);
struct anon_vma_lazy *find_shareable_lazy_root(struct vm_area_struct *vma);

#endif /* _SHIM_LINUX_RMAP_H */
