// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace stand-ins for find_mergeable_anon_vma() and
 * find_shareable_lazy_root() of mm/vma.c: the neighbours of a VMA come from
 * the model's list, not a maple tree, and whether one's anon_vma (or lazy
 * root) can serve is decided by the tree's own anon_vma_compatible() and
 * reusable_anon_vma() (vma-helpers.h, generated from the patched mm/vma.c)
 * and by the core's anon_vma_lazy_shareable(). mm/vma.c itself, with the series'
 * merge rules, is tested by tools/testing/vma.
 */
#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"

/* Memory policies do not exist in the model: all are equal. */
#define vma_policy(vma)		NULL
#define mpol_equal(a, b)	true
#define VM_SOFTDIRTY		0

#include "vma-helpers.h"

struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct list_head *head = &vma->vm_mm->mmap;
	struct vm_area_struct *prev, *next;
	struct anon_vma *anon_vma = NULL;

	/* Try next first. */
	if (vma->vm_list.next != head) {
		next = list_next_entry(vma, vm_list);
		anon_vma = reusable_anon_vma(next, vma, next);
		if (anon_vma)
			return anon_vma;
	}
	/* Try prev next. */
	if (vma->vm_list.prev != head) {
		prev = list_prev_entry(vma, vm_list);
		anon_vma = reusable_anon_vma(prev, prev, vma);
	}
	return anon_vma;
}

/* The stand-in for find_shareable_lazy_root() of mm/vma.c, as above. */
struct anon_vma_lazy *find_shareable_lazy_root(struct vm_area_struct *vma)
{
	struct list_head *head = &vma->vm_mm->mmap;
	struct vm_area_struct *near = vma;
	struct anon_vma_lazy *root;
	int i;

	for (i = 0; i < ANON_VMA_LAZY_SHARE_SCAN && near->vm_list.next != head; i++) {
		near = list_next_entry(near, vm_list);
		root = anon_vma_lazy_shareable(near, vma);
		if (root)
			return root;
	}
	near = vma;
	for (i = 0; i < ANON_VMA_LAZY_SHARE_SCAN && near->vm_list.prev != head; i++) {
		near = list_prev_entry(near, vm_list);
		root = anon_vma_lazy_shareable(near, vma);
		if (root)
			return root;
	}
	return NULL;
}
