// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace stand-in for the rest of mm/rmap.c: what happens to a
 * folio's mapping and mapcount when it is mapped and unmapped, and the
 * rmap_walk() entry points, which dispatch to mm/anon_vma.c's
 * rmap_walk_anon() (built from the patched tree) as the kernel's do. The
 * mapping is named by the core's folio_set_anon_mapping(), which
 * __folio_set_anon() and folio_move_anon_rmap() call in the kernel too.
 */
#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"

void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address)
{
	__folio_set_anon(folio, vma, address, true);
	atomic_set(&folio->_mapcount, 0);
}

/* Mapping and index of a new anonymous folio, exclusive or not. */
void __folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, bool exclusive)
{
	folio_set_anon_mapping(folio, vma, exclusive);
	folio->index = linear_page_index(vma, address);
}

/* A folio now exclusive to @vma names @vma's own tree (wp reuse, uffd). */
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma)
{
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	VM_BUG_ON_VMA(!vma->anon_vma, vma);
	folio_set_anon_mapping(folio, vma, true);
}

void folio_add_anon_rmap(struct folio *folio, struct vm_area_struct *vma)
{
	VM_BUG_ON_FOLIO(!folio_test_anon(folio), folio);
	atomic_inc(&folio->_mapcount);
}

void folio_remove_rmap(struct folio *folio)
{
	VM_BUG_ON_FOLIO(atomic_read(&folio->_mapcount) < 0, folio);
	atomic_dec(&folio->_mapcount);
}

/* Anonymous folios only: the model has no files; KSM folios it walks itself. */
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc)
{
	rmap_walk_anon(folio, rwc, false);
}

void rmap_walk_locked(struct folio *folio, struct rmap_walk_control *rwc)
{
	rmap_walk_anon(folio, rwc, true);
}
