// SPDX-License-Identifier: GPL-2.0
/* anon_vma_tree_t: every tag, its constructor and decoders, and tag 3. */
#include "lt.h"

/* Stand-ins for objects whose address is all a tree value holds. */
static unsigned long lt_obj[4] __aligned(8);
#define LT_AV	((struct anon_vma *)&lt_obj[0])
#define LT_ROOT	((struct anon_vma_lazy *)&lt_obj[2])

LT_CASE(tree_none_is_null)
{
	anon_vma_tree_t tree = anon_vma_tree_none();

	LT_EQ(t, anon_vma_tree_val(tree), 0);
	LT_EQ(t, anon_vma_tree_state(tree), ANON_VMA_STATE_NONE);
	LT_NULL(t, anon_vma_tree_to_regular(tree));
	LT_NULL(t, anon_vma_tree_to_lazy(tree));
	LT_NULL(t, anon_vma_tree_to_parent(tree));
	LT_EQ(t, anon_vma_tree_check(tree), 0);
}

LT_CASE(tree_regular_roundtrip)
{
	anon_vma_tree_t tree = anon_vma_tree_regular(LT_AV);

	LT_EQ(t, anon_vma_tree_val(tree), (unsigned long)LT_AV);
	LT_EQ(t, anon_vma_tree_val(tree) & ANON_VMA_TREE_MASK, ANON_VMA_TREE_REGULAR);
	LT_EQ(t, anon_vma_tree_state(tree), ANON_VMA_STATE_REGULAR);
	LT_PTR_EQ(t, anon_vma_tree_to_regular(tree), LT_AV);
	LT_NULL(t, anon_vma_tree_to_lazy(tree));
	LT_NULL(t, anon_vma_tree_to_parent(tree));
}

LT_CASE(tree_lazy_roundtrip)
{
	anon_vma_tree_t tree = anon_vma_tree_lazy(LT_ROOT);

	LT_EQ(t, anon_vma_tree_val(tree), (unsigned long)LT_ROOT | 1);
	LT_EQ(t, anon_vma_tree_state(tree), ANON_VMA_STATE_LAZY);
	LT_PTR_EQ(t, anon_vma_tree_to_lazy(tree), LT_ROOT);
	LT_NULL(t, anon_vma_tree_to_regular(tree));
	LT_NULL(t, anon_vma_tree_to_parent(tree));
}

LT_CASE(tree_parent_roundtrip)
{
	anon_vma_tree_t tree = anon_vma_tree_parent(LT_AV);

	LT_EQ(t, anon_vma_tree_val(tree), (unsigned long)LT_AV | 2);
	LT_EQ(t, anon_vma_tree_state(tree), ANON_VMA_STATE_PARENT);
	LT_PTR_EQ(t, anon_vma_tree_to_parent(tree), LT_AV);
	LT_NULL(t, anon_vma_tree_to_regular(tree));
	LT_NULL(t, anon_vma_tree_to_lazy(tree));
}

LT_CASE(tree_reserved_tag_rejected)
{
	anon_vma_tree_t tree = __anon_vma_tree((unsigned long)LT_AV | ANON_VMA_TREE_INVALID);

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_EQ(t, anon_vma_tree_state(tree), ANON_VMA_STATE_BAD);
	LT_EQ(t, lt_warns(t), 1);
	LT_EQ(t, anon_vma_tree_check(tree), -EINVAL);
	LT_NULL(t, anon_vma_tree_to_regular(tree));
	LT_NULL(t, anon_vma_tree_to_lazy(tree));
	LT_NULL(t, anon_vma_tree_to_parent(tree));
	LT_EQ(t, lt_warns(t), 5);
	lt_expect_warns(t, 5);
}

LT_CASE(tree_tag_without_pointer_rejected)
{
	anon_vma_tree_t tree = __anon_vma_tree(ANON_VMA_TREE_VMA);

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_EQ(t, anon_vma_tree_state(tree), ANON_VMA_STATE_BAD);
	LT_EQ(t, anon_vma_tree_check(tree), -EINVAL);
	lt_expect_warns(t, 2);
}

LT_CASE(tree_misaligned_pointer_rejected)
{
	anon_vma_tree_t tree;

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	tree = anon_vma_tree_regular((struct anon_vma *)((char *)LT_AV + 1));
	LT_EQ(t, anon_vma_tree_val(tree), 0);
	tree = anon_vma_tree_lazy((struct anon_vma_lazy *)((char *)LT_ROOT + 2));
	LT_EQ(t, anon_vma_tree_val(tree), 0);
	lt_expect_warns(t, 2);
}

LT_CASE(tree_null_pointer_rejected)
{
	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_EQ(t, anon_vma_tree_val(anon_vma_tree_lazy(NULL)), 0);
	LT_EQ(t, anon_vma_tree_val(anon_vma_tree_parent(NULL)), 0);
	LT_EQ(t, anon_vma_tree_val(anon_vma_tree_regular(NULL)), 0);
	lt_expect_warns(t, 3);
}

LT_CASE(tree_equal_needs_same_tag)
{
	LT_TRUE(t, anon_vma_tree_equal(anon_vma_tree_regular(LT_AV),
				       anon_vma_tree_regular(LT_AV)));
	LT_FALSE(t, anon_vma_tree_equal(anon_vma_tree_regular(LT_AV),
					anon_vma_tree_parent(LT_AV)));
	LT_FALSE(t, anon_vma_tree_equal(anon_vma_tree_lazy(LT_ROOT),
					anon_vma_tree_none()));
}

LT_CASE(vma_tree_accessors_keep_null_tests_true)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(16), LT_PAGE(20));

	LT_NULL(t, vma->anon_vma);
	vma_set_anon_vma_tree(vma, anon_vma_tree_parent(LT_AV));
	/* Code that only asks "has an anon_vma?" still gets the right answer. */
	LT_NOT_NULL(t, vma->anon_vma);
	LT_EQ(t, anon_vma_tree_state(vma_anon_vma_tree(vma)), ANON_VMA_STATE_PARENT);
	LT_FALSE(t, vma_anon_vma_is_lazy(vma));
	vma_set_anon_vma_tree(vma, anon_vma_tree_lazy(LT_ROOT));
	LT_TRUE(t, vma_anon_vma_is_lazy(vma));
	vma_set_anon_vma_tree(vma, anon_vma_tree_none());
	LT_NULL(t, vma->anon_vma);
}

LT_CASE(vma_mapping_base_of_fresh_mapping_is_zero)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));

	LT_EQ(t, vma_mapping_base(vma), 0);
}

LT_CASE(vma_mapping_base_survives_split_and_merge)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct vm_area_struct *upper;
	unsigned long base;

	vma->vm_start = LT_PAGE(1000);	/* as if moved before any fault */
	vma->vm_end = LT_PAGE(1010);
	base = vma_mapping_base(vma);
	LT_NE(t, base, 0);
	lt_fault(t, vma);
	upper = lt_split(t, vma, LT_PAGE(1004));
	LT_EQ(t, vma_mapping_base(vma), base);
	LT_EQ(t, vma_mapping_base(upper), base);
	/* Merge back: the survivor grows, the other leaves the root. */
	vma->vm_end = upper->vm_end;
	lt_vma_drop(t, upper);
	LT_EQ(t, vma_mapping_base(vma), base);
}
