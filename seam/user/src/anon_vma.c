// SPDX-License-Identifier: GPL-2.0
/*
 * mm/anon_vma.c of the patched tree, built here against the userspace seam
 * (seam/user/anon_vma_internal.h, whose include guard is the kernel seam's:
 * the file's own #include of that seam then finds it already there), as
 * tools/testing/vma builds mm/vma.c.
 */
#include "anon_vma_internal.h"
#include LAZYRMAP_ANON_VMA_C
