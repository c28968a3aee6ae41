// SPDX-License-Identifier: GPL-2.0
/* What mm/anon_vma.c uses of mm/util.c. */
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/rmap.h>

struct anon_vma *folio_anon_vma(struct folio *folio)
{
	unsigned long mapping = (unsigned long)folio->mapping;

	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		return NULL;
	return (void *)(mapping - PAGE_MAPPING_ANON);
}
