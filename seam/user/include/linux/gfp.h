/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/gfp.h>. */
#ifndef _SHIM_LINUX_GFP_H
#define _SHIM_LINUX_GFP_H

#include <linux/types.h>

#define __GFP_ZERO	0x100u
#define __GFP_NOWARN	0x200u
#define GFP_KERNEL	0x1u
#define GFP_NOWAIT	0x2u
#define GFP_ATOMIC	0x4u

#endif /* _SHIM_LINUX_GFP_H */
