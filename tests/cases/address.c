// SPDX-License-Identifier: GPL-2.0
/* Address resolution: base + index, or a clear -EFAULT. */
#include "lt.h"

LT_CASE(address_inside_vma)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(200), LT_PAGE(210));

	LT_EQ(t, anon_vma_lazy_address(vma, 203, 1), LT_PAGE(203));
	LT_EQ(t, anon_vma_lazy_address(vma, 200, 1), LT_PAGE(200));
	LT_EQ(t, anon_vma_lazy_address(vma, 209, 1), LT_PAGE(209));
}

LT_CASE(address_outside_vma_is_efault)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(200), LT_PAGE(210));

	LT_EQ(t, anon_vma_lazy_address(vma, 210, 1), -EFAULT);
	LT_EQ(t, anon_vma_lazy_address(vma, 199, 1), -EFAULT);
	LT_EQ(t, anon_vma_lazy_address(vma, 0, 1), -EFAULT);
	LT_EQ(t, anon_vma_lazy_address(vma, ~0UL >> PAGE_SHIFT, 1), -EFAULT);
}

LT_CASE(address_large_folio_straddling_start)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(202), LT_PAGE(210));

	/* Pages 200..203: the part from 202 on is in this VMA. */
	LT_EQ(t, anon_vma_lazy_address(vma, 200, 4), LT_PAGE(202));
	LT_EQ(t, anon_vma_lazy_address(vma, 200, 2), -EFAULT);
}

LT_CASE(address_moved_vma_uses_its_own_base)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(200), LT_PAGE(210));

	/* mremap() moved it: same pgoff, new start. */
	vma->vm_start = LT_PAGE(5000);
	vma->vm_end = LT_PAGE(5010);
	LT_EQ(t, anon_vma_lazy_address(vma, 203, 1), LT_PAGE(5003));
	LT_EQ(t, anon_vma_lazy_address(vma, 210, 1), -EFAULT);
}

LT_CASE(address_inverts_linear_page_index)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(200), LT_PAGE(264));
	unsigned long address;

	vma->vm_pgoff = 7;	/* any base, not only 0 */
	for (address = vma->vm_start; address < vma->vm_end; address += PAGE_SIZE)
		LT_EQ(t, anon_vma_lazy_address(vma, linear_page_index(vma, address), 1),
		      address);
}

LT_CASE(address_after_split_is_in_one_half)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(200), LT_PAGE(210));
	struct vm_area_struct *upper;

	lt_fault(t, vma);
	upper = lt_split(t, vma, LT_PAGE(205));
	LT_EQ(t, anon_vma_lazy_address(vma, 203, 1), LT_PAGE(203));
	LT_EQ(t, anon_vma_lazy_address(upper, 203, 1), -EFAULT);
	LT_EQ(t, anon_vma_lazy_address(vma, 207, 1), -EFAULT);
	LT_EQ(t, anon_vma_lazy_address(upper, 207, 1), LT_PAGE(207));
}
