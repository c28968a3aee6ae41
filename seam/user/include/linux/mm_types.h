/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/mm_types.h>: the fields of mm_struct,
 * vm_area_struct and folio that the core and the userspace mm model touch,
 * with the kernel's names and types.
 */
#ifndef _SHIM_LINUX_MM_TYPES_H
#define _SHIM_LINUX_MM_TYPES_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

struct address_space;
struct anon_vma;
struct file;
struct vm_operations_struct;

struct mm_struct {
	struct rw_semaphore mmap_lock;
	spinlock_t page_table_lock;
	/* The model's VMAs, in address order (the kernel keeps a maple tree). */
	struct list_head mmap;
	atomic_t mm_users;
	int map_count;
};

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct mm_struct *vm_mm;
	/* Read-only, as in the kernel: written through vm_flags_*() only. */
	union {
		const vm_flags_t vm_flags;
		vm_flags_t __vm_flags;
	};
	/* The model's link in mm->mmap. */
	struct list_head vm_list;
	/* Chains of a regular VMA; a lazy VMA's link on its root. */
	struct list_head anon_vma_chain;
	struct anon_vma *anon_vma;
	const struct vm_operations_struct *vm_ops;
	unsigned long vm_pgoff;
	struct file *vm_file;
};

struct folio {
	unsigned long flags;
	struct address_space *mapping;
	pgoff_t index;
	/* Mappings minus one, as the kernel counts: -1 is unmapped. */
	atomic_t _mapcount;
	atomic_t _refcount;
	unsigned int order;
};

#endif /* _SHIM_LINUX_MM_TYPES_H */
