// SPDX-License-Identifier: GPL-2.0
/* The folio->mapping encoding: lazy (0x2), regular anon (0x1), KSM (0x3). */
#include "lt.h"

static unsigned long lt_obj[4] __aligned(8);
#define LT_ROOT	((struct anon_vma_lazy *)&lt_obj[0])
#define LT_PTR	((unsigned long)&lt_obj[2])

static void lt_set_mapping(struct folio *folio, unsigned long value)
{
	WRITE_ONCE(folio->mapping, (struct address_space *)value);
}

LT_CASE(mapping_lazy_is_ksm_bit_alone)
{
	struct folio *folio = lt_folio(t, 0);

	folio_set_anon_vma_lazy(folio, LT_ROOT);
	LT_EQ(t, (unsigned long)folio->mapping & PAGE_MAPPING_FLAGS,
	      FOLIO_MAPPING_ANON_VMA_LAZY);
	LT_EQ(t, (unsigned long)folio->mapping & ~FOLIO_MAPPING_LAZY_MASK,
	      (unsigned long)LT_ROOT);
	lt_set_mapping(folio, 0);
}

LT_CASE(mapping_lazy_is_anon_not_ksm)
{
	struct folio *folio = lt_folio(t, 0);

	folio_set_anon_vma_lazy(folio, LT_ROOT);
	LT_TRUE(t, folio_test_anon(folio));
	LT_TRUE(t, folio_test_anon_vma_lazy(folio));
	LT_FALSE(t, folio_test_ksm(folio));
	LT_PTR_EQ(t, folio_anon_vma_lazy(folio), LT_ROOT);
	lt_set_mapping(folio, 0);
}

LT_CASE(mapping_regular_anon_is_not_lazy)
{
	struct folio *folio = lt_folio(t, 0);

	lt_set_mapping(folio, LT_PTR | PAGE_MAPPING_ANON);
	LT_TRUE(t, folio_test_anon(folio));
	LT_FALSE(t, folio_test_anon_vma_lazy(folio));
	LT_FALSE(t, folio_test_ksm(folio));
	LT_NULL(t, folio_anon_vma_lazy(folio));
	lt_set_mapping(folio, 0);
}

LT_CASE(mapping_ksm_is_unchanged)
{
	struct folio *folio = lt_folio(t, 0);

	lt_set_mapping(folio, LT_PTR | PAGE_MAPPING_KSM);
	LT_TRUE(t, folio_test_ksm(folio));
	LT_TRUE(t, folio_test_anon(folio));
	LT_FALSE(t, folio_test_anon_vma_lazy(folio));
	LT_NULL(t, folio_anon_vma_lazy(folio));
	lt_set_mapping(folio, 0);
}

LT_CASE(mapping_file_and_null_are_not_anon)
{
	struct folio *folio = lt_folio(t, 0);

	LT_FALSE(t, folio_test_anon(folio));
	LT_FALSE(t, folio_test_anon_vma_lazy(folio));
	lt_set_mapping(folio, LT_PTR);
	LT_FALSE(t, folio_test_anon(folio));
	LT_FALSE(t, folio_test_anon_vma_lazy(folio));
	LT_FALSE(t, folio_test_ksm(folio));
	lt_set_mapping(folio, 0);
}

LT_CASE(mapping_bit2_is_not_lazy)
{
	/* Bit 2 is left for other 0x2 users (6.12's movable pages). */
	LT_TRUE(t, anon_mapping_is_lazy(LT_PTR | 0x2));
	LT_FALSE(t, anon_mapping_is_lazy(LT_PTR | 0x6));
	LT_FALSE(t, anon_mapping_is_lazy(0x6));
	LT_NULL(t, anon_mapping_to_lazy(LT_PTR | 0x6));
}

LT_CASE(mapping_set_from_vma_follows_its_state)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(40), LT_PAGE(48));
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma_lazy *root = lt_fault(t, vma);

	LT_EQ(t, folio_set_anon_mapping(folio, vma, true), 0);
	LT_PTR_EQ(t, folio_anon_vma_lazy(folio), root);
	lt_set_mapping(folio, 0);
}

LT_CASE(mapping_set_from_parent_vma_names_inherited_anon_vma)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(40), LT_PAGE(48));
	struct vm_area_struct *child = lt_vma_dup(t, vma, lt_mm(t));
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma *parent;

	lt_fault(t, vma);
	mmap_write_lock(mm);
	LT_EQ(t, anon_vma_lazy_fork(child, vma), 0);
	mmap_write_unlock(mm);
	parent = anon_vma_handle_to_parent(vma_anon_vma_handle(child));
	LT_NOT_NULL(t, parent);
	LT_EQ(t, folio_set_anon_mapping(folio, child, true), 0);
	LT_EQ(t, (unsigned long)folio->mapping,
	      (unsigned long)parent | PAGE_MAPPING_ANON);
	LT_TRUE(t, folio_anon_vma_handle_matches(folio, child));
	LT_TRUE(t, folio_anon_vma_handle_matches(folio, vma));
	lt_set_mapping(folio, 0);
}

LT_CASE(mapping_set_from_vma_without_tree_refused)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(40), LT_PAGE(48));
	struct folio *folio = lt_folio(t, 0);

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_EQ(t, folio_set_anon_mapping(folio, vma, true), -EINVAL);
	LT_NULL(t, folio->mapping);
	lt_expect_warns(t, 1);
}
