/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/hugetlb_inline.h>: a VMA's hugetlb flag. */
#ifndef _SHIM_LINUX_HUGETLB_INLINE_H
#define _SHIM_LINUX_HUGETLB_INLINE_H

#include <linux/mm.h>

static inline bool is_vm_hugetlb_page(const struct vm_area_struct *vma)
{
	return !!(vma->vm_flags & VM_HUGETLB);
}

#endif /* _SHIM_LINUX_HUGETLB_INLINE_H */
