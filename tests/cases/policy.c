// SPDX-License-Identifier: GPL-2.0
/* vm.anon_vma_lazy, vm.anon_vma_lazy_max_pages and who is eligible. */
#include "lt.h"

LT_CASE(sysctl_table_has_both_knobs)
{
	const struct ctl_table *sw = lt_sysctl("anon_vma_lazy");
	const struct ctl_table *max = lt_sysctl("anon_vma_lazy_max_pages");

	LT_NOT_NULL(t, sw);
	LT_NOT_NULL(t, max);
	LT_PTR_EQ(t, sw->data, &sysctl_anon_vma_lazy);
	LT_PTR_EQ(t, max->data, &sysctl_anon_vma_lazy_max_pages);
	LT_EQ(t, sw->mode, 0644);
	LT_EQ(t, max->mode, 0644);
}

LT_CASE(sysctl_switch_takes_0_and_1)
{
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy", "0"), 0);
	LT_EQ(t, sysctl_anon_vma_lazy, 0);
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy", "1\n"), 0);
	LT_EQ(t, sysctl_anon_vma_lazy, 1);
}

LT_CASE(sysctl_switch_refuses_out_of_range)
{
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy", "2"), -EINVAL);
	LT_EQ(t, sysctl_anon_vma_lazy, 1);
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy", "-1"), -EINVAL);
	LT_EQ(t, sysctl_anon_vma_lazy, 1);
}

LT_CASE(sysctl_switch_refuses_garbage)
{
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy", "on"), -EINVAL);
	LT_EQ(t, sysctl_anon_vma_lazy, 1);
}

LT_CASE(sysctl_max_pages_takes_a_count)
{
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_max_pages", "16"), 0);
	LT_EQ(t, sysctl_anon_vma_lazy_max_pages, 16);
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_max_pages", "-3"), -EINVAL);
	LT_EQ(t, sysctl_anon_vma_lazy_max_pages, 16);
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_max_pages", "0"), 0);
}

LT_CASE(policy_switch_off_means_not_eligible)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(10), LT_PAGE(11));

	LT_TRUE(t, anon_vma_lazy_eligible(vma));
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy", "0"), 0);
	LT_FALSE(t, anon_vma_lazy_eligible(vma));
}

/*
 * A private file mapping's copied-on-write folios are anonymous and take
 * a lazy root like an anonymous VMA's; shared and hugetlb mappings do not.
 */
LT_CASE(policy_private_file_eligible_shared_and_hugetlb_not)
{
	static const struct vm_operations_struct *fake_ops =
		(const struct vm_operations_struct *)&fake_ops;
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(10), LT_PAGE(11));

	vma->vm_ops = fake_ops;
	LT_TRUE(t, anon_vma_lazy_eligible(vma));
	mmap_write_lock(vma->vm_mm);
	vm_flags_set(vma, VM_SHARED);
	LT_FALSE(t, anon_vma_lazy_eligible(vma));
	vm_flags_clear(vma, VM_SHARED);
	vm_flags_set(vma, VM_HUGETLB);
	/* Without CONFIG_HUGETLB_PAGE no VMA is hugetlb, whatever its flags. */
	if (is_vm_hugetlb_page(vma))
		LT_FALSE(t, anon_vma_lazy_eligible(vma));
	vm_flags_clear(vma, VM_HUGETLB);
	mmap_write_unlock(vma->vm_mm);
	vma->vm_ops = NULL;
	LT_TRUE(t, anon_vma_lazy_eligible(vma));
}

LT_CASE(policy_max_pages_bounds_size)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *four = lt_vma(t, mm, LT_PAGE(10), LT_PAGE(14));
	struct vm_area_struct *five = lt_vma(t, mm, LT_PAGE(20), LT_PAGE(25));

	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_max_pages", "4"), 0);
	LT_TRUE(t, anon_vma_lazy_eligible(four));
	LT_FALSE(t, anon_vma_lazy_eligible(five));
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_max_pages", "0"), 0);
	LT_TRUE(t, anon_vma_lazy_eligible(five));
}
