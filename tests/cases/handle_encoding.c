// SPDX-License-Identifier: GPL-2.0
/* anon_vma_handle_t: every tag, its constructor and decoders, and tag 3. */
#include "lt.h"

/* Stand-ins for objects whose address is all a tree value holds. */
static unsigned long lt_obj[4] __aligned(8);
#define LT_AV	((struct anon_vma *)&lt_obj[0])
#define LT_ROOT	((struct anon_vma_lazy *)&lt_obj[2])

LT_CASE(handle_none_is_null)
{
	anon_vma_handle_t handle = anon_vma_handle_none();

	LT_EQ(t, anon_vma_handle_val(handle), 0);
	LT_EQ(t, anon_vma_handle_state(handle), ANON_VMA_STATE_NONE);
	LT_NULL(t, anon_vma_handle_to_regular(handle));
	LT_NULL(t, anon_vma_handle_to_lazy(handle));
	LT_NULL(t, anon_vma_handle_to_parent(handle));
	LT_EQ(t, anon_vma_handle_check(handle), 0);
}

LT_CASE(handle_regular_roundtrip)
{
	anon_vma_handle_t handle = anon_vma_handle_regular(LT_AV);

	LT_EQ(t, anon_vma_handle_val(handle), (unsigned long)LT_AV);
	LT_EQ(t, anon_vma_handle_val(handle) & ANON_VMA_HANDLE_MASK, ANON_VMA_HANDLE_REGULAR);
	LT_EQ(t, anon_vma_handle_state(handle), ANON_VMA_STATE_REGULAR);
	LT_PTR_EQ(t, anon_vma_handle_to_regular(handle), LT_AV);
	LT_NULL(t, anon_vma_handle_to_lazy(handle));
	LT_NULL(t, anon_vma_handle_to_parent(handle));
}

LT_CASE(handle_lazy_roundtrip)
{
	anon_vma_handle_t handle = anon_vma_handle_lazy(LT_ROOT);

	LT_EQ(t, anon_vma_handle_val(handle), (unsigned long)LT_ROOT | 1);
	LT_EQ(t, anon_vma_handle_state(handle), ANON_VMA_STATE_LAZY);
	LT_PTR_EQ(t, anon_vma_handle_to_lazy(handle), LT_ROOT);
	LT_NULL(t, anon_vma_handle_to_regular(handle));
	LT_NULL(t, anon_vma_handle_to_parent(handle));
}

LT_CASE(handle_parent_roundtrip)
{
	anon_vma_handle_t handle = anon_vma_handle_parent(LT_AV);

	LT_EQ(t, anon_vma_handle_val(handle), (unsigned long)LT_AV | 2);
	LT_EQ(t, anon_vma_handle_state(handle), ANON_VMA_STATE_PARENT);
	LT_PTR_EQ(t, anon_vma_handle_to_parent(handle), LT_AV);
	LT_NULL(t, anon_vma_handle_to_regular(handle));
	LT_NULL(t, anon_vma_handle_to_lazy(handle));
}

LT_CASE(handle_reserved_tag_rejected)
{
	anon_vma_handle_t handle =
		__anon_vma_handle((unsigned long)LT_AV | ANON_VMA_HANDLE_INVALID);

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_EQ(t, anon_vma_handle_state(handle), ANON_VMA_STATE_BAD);
	LT_EQ(t, lt_warns(t), 1);
	LT_EQ(t, anon_vma_handle_check(handle), -EINVAL);
	LT_NULL(t, anon_vma_handle_to_regular(handle));
	LT_NULL(t, anon_vma_handle_to_lazy(handle));
	LT_NULL(t, anon_vma_handle_to_parent(handle));
	LT_EQ(t, lt_warns(t), 5);
	lt_expect_warns(t, 5);
}

LT_CASE(handle_tag_without_pointer_rejected)
{
	anon_vma_handle_t handle = __anon_vma_handle(ANON_VMA_HANDLE_LAZY);

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_EQ(t, anon_vma_handle_state(handle), ANON_VMA_STATE_BAD);
	LT_EQ(t, anon_vma_handle_check(handle), -EINVAL);
	lt_expect_warns(t, 2);
}

LT_CASE(handle_misaligned_pointer_rejected)
{
	anon_vma_handle_t handle;

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	handle = anon_vma_handle_regular((struct anon_vma *)((char *)LT_AV + 1));
	LT_EQ(t, anon_vma_handle_val(handle), 0);
	handle = anon_vma_handle_lazy((struct anon_vma_lazy *)((char *)LT_ROOT + 2));
	LT_EQ(t, anon_vma_handle_val(handle), 0);
	lt_expect_warns(t, 2);
}

LT_CASE(handle_null_pointer_rejected)
{
	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_EQ(t, anon_vma_handle_val(anon_vma_handle_lazy(NULL)), 0);
	LT_EQ(t, anon_vma_handle_val(anon_vma_handle_parent(NULL)), 0);
	LT_EQ(t, anon_vma_handle_val(anon_vma_handle_regular(NULL)), 0);
	lt_expect_warns(t, 3);
}

LT_CASE(handle_equal_needs_same_tag)
{
	LT_TRUE(t, anon_vma_handle_equal(anon_vma_handle_regular(LT_AV),
					 anon_vma_handle_regular(LT_AV)));
	LT_FALSE(t, anon_vma_handle_equal(anon_vma_handle_regular(LT_AV),
					  anon_vma_handle_parent(LT_AV)));
	LT_FALSE(t, anon_vma_handle_equal(anon_vma_handle_lazy(LT_ROOT),
					  anon_vma_handle_none()));
}

LT_CASE(vma_handle_accessors_keep_null_tests_true)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(16), LT_PAGE(20));

	LT_NULL(t, vma->anon_vma);
	vma_set_anon_vma_handle(vma, anon_vma_handle_parent(LT_AV));
	/* Code that only asks "has an anon_vma?" still gets the right answer. */
	LT_NOT_NULL(t, vma->anon_vma);
	LT_EQ(t, anon_vma_handle_state(vma_anon_vma_handle(vma)), ANON_VMA_STATE_PARENT);
	LT_FALSE(t, vma_anon_vma_is_lazy(vma));
	vma_set_anon_vma_handle(vma, anon_vma_handle_lazy(LT_ROOT));
	LT_TRUE(t, vma_anon_vma_is_lazy(vma));
	vma_set_anon_vma_handle(vma, anon_vma_handle_none());
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
