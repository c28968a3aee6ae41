/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one list of test cases. Criterion (tests/criterion) and KUnit
 * (tests/kunit) both expand it; scripts/check-cases.sh checks that every
 * LT_CASE() under tests/cases is listed here exactly once.
 */
#ifndef __LAZYRMAP_CASES_H
#define __LAZYRMAP_CASES_H

#define LT_CASES(X)	\
	X(tree_none_is_null)	\
	X(tree_regular_roundtrip)	\
	X(tree_lazy_roundtrip)	\
	X(tree_parent_roundtrip)	\
	X(tree_reserved_tag_rejected)	\
	X(tree_tag_without_pointer_rejected)	\
	X(tree_misaligned_pointer_rejected)	\
	X(tree_null_pointer_rejected)	\
	X(tree_equal_needs_same_tag)	\
	X(vma_tree_accessors_keep_null_tests_true)	\
	X(vma_mapping_base_of_fresh_mapping_is_zero)	\
	X(vma_mapping_base_survives_split_and_merge)	\
	X(mapping_lazy_is_ksm_bit_alone)	\
	X(mapping_lazy_is_anon_not_ksm)	\
	X(mapping_regular_anon_is_not_lazy)	\
	X(mapping_ksm_is_unchanged)	\
	X(mapping_file_and_null_are_not_anon)	\
	X(mapping_bit2_is_not_lazy)	\
	X(mapping_set_from_vma_follows_its_state)	\
	X(mapping_set_from_parent_vma_refused)	\
	X(sysctl_table_has_both_knobs)	\
	X(sysctl_switch_takes_0_and_1)	\
	X(sysctl_switch_refuses_out_of_range)	\
	X(sysctl_switch_refuses_garbage)	\
	X(sysctl_max_pages_takes_a_count)	\
	X(policy_switch_off_means_not_eligible)	\
	X(policy_shared_or_file_backed_not_eligible)	\
	X(policy_max_pages_bounds_size)	\
	X(prepare_makes_root_holding_the_vma)	\
	X(prepare_loser_of_race_frees_its_root)	\
	X(prepare_reuses_neighbour_root)	\
	X(reusable_refuses_other_base)	\
	X(reusable_refuses_other_mm)	\
	X(reusable_refuses_non_lazy_neighbour)	\
	X(prepare_allocation_failure_changes_nothing)	\
	X(prepare_without_mmap_lock_is_caught)	\
	X(split_joins_the_root)	\
	X(clone_from_non_lazy_is_refused)	\
	X(clone_across_mms_is_refused)	\
	X(unlink_middle_keeps_the_rest)	\
	X(unlink_last_vma_frees_root_after_grace_period)	\
	X(merge_removed_vma_leaves_root)	\
	X(mergeable_none_with_none_or_lazy)	\
	X(mergeable_refuses_none_with_parent)	\
	X(mergeable_needs_the_same_root)	\
	X(mergeable_regular_keeps_mainline_rule)	\
	X(mergeable_refuses_reserved_tag)	\
	X(address_inside_vma)	\
	X(address_outside_vma_is_efault)	\
	X(address_large_folio_straddling_start)	\
	X(address_moved_vma_uses_its_own_base)	\
	X(address_inverts_linear_page_index)	\
	X(address_after_split_is_in_one_half)	\
	X(walk_finds_the_one_mapping)	\
	X(walk_after_split_visits_only_the_covering_vma)	\
	X(walk_large_folio_across_split_visits_both)	\
	X(walk_skips_unmapped_folio)	\
	X(walk_stops_when_rmap_one_says_so)	\
	X(walk_skips_invalid_vma)	\
	X(walk_trylock_reports_contention)	\
	X(walk_finds_moved_vma_on_same_root)	\
	X(locked_walk_uses_the_callers_lock)	\
	X(locked_walk_without_the_lock_is_caught)	\
	X(upgrade_moves_every_vma_to_one_anon_vma)	\
	X(upgrade_anon_vma_failure_changes_nothing)	\
	X(upgrade_chain_failure_at_each_site_changes_nothing)	\
	X(upgraded_root_lives_as_long_as_its_anon_vma)	\
	X(upgrade_of_upgraded_root_is_refused)	\
	X(walk_through_forwarded_root_finds_mapping)	\
	X(rewrite_points_folio_at_forward)	\
	X(fork_of_lazy_vma_leaves_child_parent)	\
	X(fork_with_switch_off_is_mainline)	\
	X(fork_of_vma_without_anon_memory)	\
	X(fork_upgrade_failure_leaves_parent_lazy)	\
	X(fork_chain_failure_leaves_child_empty)	\
	X(parent_vma_adopts_anon_vma_at_first_fault)	\
	X(parent_adopt_failure_keeps_parent_state)	\
	X(fork_of_parent_vma_stays_parent)	\
	X(fork_walk_finds_parent_and_child)	\
	X(fork_of_switched_off_parent_child_adopts_first)	\
	X(root_lock_write_excludes_readers)	\
	X(root_lock_assert_sees_holder)	\
	X(nesting_two_root_locks_is_reported)

#endif /* __LAZYRMAP_CASES_H */
