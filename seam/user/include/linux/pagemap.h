/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/pagemap.h>: folio index and folio lock. */
#ifndef _SHIM_LINUX_PAGEMAP_H
#define _SHIM_LINUX_PAGEMAP_H

#include <linux/mm.h>
#include <linux/sched.h>

static inline pgoff_t folio_pgoff(struct folio *folio)
{
	return folio->index;
}

static inline pgoff_t linear_page_index(struct vm_area_struct *vma,
					unsigned long address)
{
	return ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

static inline bool folio_trylock(struct folio *folio)
{
	return !(__atomic_fetch_or(&folio->flags, 1UL << PG_locked,
				   __ATOMIC_ACQUIRE) & (1UL << PG_locked));
}

static inline void folio_lock(struct folio *folio)
{
	while (!folio_trylock(folio))
		sched_yield();
}

static inline void folio_unlock(struct folio *folio)
{
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	__atomic_fetch_and(&folio->flags, ~(1UL << PG_locked), __ATOMIC_RELEASE);
}

#endif /* _SHIM_LINUX_PAGEMAP_H */
