/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/rbtree.h>'s types, as the anon_vma interval
 * tree uses them: here the "tree" is a list through rb_right, kept in the
 * order of the tree's key (seam/user/src/interval_tree.c).
 */
#ifndef _SHIM_LINUX_RBTREE_H
#define _SHIM_LINUX_RBTREE_H

#include <linux/compiler.h>

struct rb_node {
	struct rb_node *rb_right;
};

struct rb_root {
	struct rb_node *rb_node;
};

struct rb_root_cached {
	struct rb_root rb_root;
};

#define RB_ROOT_CACHED		((struct rb_root_cached) { { NULL } })
#define RB_EMPTY_ROOT(root)	(READ_ONCE((root)->rb_node) == NULL)

#endif /* _SHIM_LINUX_RBTREE_H */
