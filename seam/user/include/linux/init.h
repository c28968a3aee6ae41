/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/init.h>: there is no boot, so an initcall
 * is only named (and so used); the tests call what they need themselves.
 */
#ifndef _SHIM_LINUX_INIT_H
#define _SHIM_LINUX_INIT_H

#include <linux/compiler.h>

#define subsys_initcall(fn)	\
	static int (*__initcall_##fn)(void) __maybe_unused = fn

#endif /* _SHIM_LINUX_INIT_H */
