/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/page-flags.h>: the mapping flags, and the
 * folio tests of the patched tree (a lazy folio is anonymous, and not KSM).
 */
#ifndef _SHIM_LINUX_PAGE_FLAGS_H
#define _SHIM_LINUX_PAGE_FLAGS_H

#include <linux/anon_vma_handle.h>
#include <linux/mm_types.h>

#define PAGE_MAPPING_ANON	0x1
#define PAGE_MAPPING_KSM	0x3
#define PAGE_MAPPING_FLAGS	0x3

#define PG_locked		0

/* folio_test_anon(), as the patched tree has it. */
#include "page-flags-helpers.h"

static inline bool folio_test_ksm(const struct folio *folio)
{
	return ((unsigned long)READ_ONCE(folio->mapping) & PAGE_MAPPING_FLAGS) ==
		PAGE_MAPPING_KSM;
}

static inline bool folio_test_locked(const struct folio *folio)
{
	return __atomic_load_n(&folio->flags, __ATOMIC_ACQUIRE) & (1UL << PG_locked);
}

#endif /* _SHIM_LINUX_PAGE_FLAGS_H */
