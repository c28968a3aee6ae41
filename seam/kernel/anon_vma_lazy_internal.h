/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between the ANON_VMA_LAZY core and its host: in a kernel tree,
 * the real headers, and mm/anon_vma.c's internals the core calls.
 * seam/user/anon_vma_lazy_internal.h is the userspace twin.
 */
#ifndef __ANON_VMA_LAZY_INTERNAL_H
#define __ANON_VMA_LAZY_INTERNAL_H

#include <linux/anon_vma_handle.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/hash.h>
#include <linux/hugetlb_inline.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rmap.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysctl.h>
#include <linux/vmstat.h>

#include "anon_vma.h"

#endif /* __ANON_VMA_LAZY_INTERNAL_H */
