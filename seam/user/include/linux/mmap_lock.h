/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/mmap_lock.h>. */
#ifndef _SHIM_LINUX_MMAP_LOCK_H
#define _SHIM_LINUX_MMAP_LOCK_H

#include <linux/mm_types.h>

static inline void mmap_read_lock(struct mm_struct *mm)
{
	down_read(&mm->mmap_lock);
}

static inline void mmap_read_unlock(struct mm_struct *mm)
{
	up_read(&mm->mmap_lock);
}

static inline void mmap_write_lock(struct mm_struct *mm)
{
	down_write(&mm->mmap_lock);
}

#define SINGLE_DEPTH_NESTING	1

/* dup_mmap() holds the parent's and the child's: the child's is nested. */
static inline void mmap_write_lock_nested(struct mm_struct *mm, int subclass)
{
	down_write_nested(&mm->mmap_lock, subclass);
}

static inline void mmap_write_unlock(struct mm_struct *mm)
{
	up_write(&mm->mmap_lock);
}

/* munmap(), brk() and mremap() unmap under the read lock after this. */
static inline void mmap_write_downgrade(struct mm_struct *mm)
{
	downgrade_write(&mm->mmap_lock);
}

#define mmap_assert_locked(mm)		lockdep_assert_held(&(mm)->mmap_lock)
#define mmap_assert_write_locked(mm)	lockdep_assert_held_write(&(mm)->mmap_lock)

#endif /* _SHIM_LINUX_MMAP_LOCK_H */
