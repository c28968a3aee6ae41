/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/compiler.h>: kernel access semantics on C11 atomics. */
#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H

#include <stddef.h>
#include <sys/cdefs.h>

/* glibc has its own; the kernel's meaning is the same. */
#undef __always_inline

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define __always_inline		inline __attribute__((__always_inline__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __maybe_unused		__attribute__((__unused__))
#define __read_mostly
#define __init
#define __initdata
#define __aligned(x)		__attribute__((__aligned__(x)))
#define noinline		__attribute__((__noinline__))
/* sparse annotations: checked by sparse in the kernel build, nothing here. */
#define __bitwise
#define __force
#define fallthrough		__attribute__((__fallthrough__))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))

#define barrier()		__asm__ __volatile__("" : : : "memory")

/*
 * READ_ONCE/WRITE_ONCE are atomics here so that ThreadSanitizer treats them
 * as the marked accesses they are in the kernel memory model. The kernel
 * orders the loads a READ_ONCE() pointer leads to (address dependency); C11
 * and TSan know no such order, so a pointer read with READ_ONCE() is an
 * acquire load, the nearest sound stand-in. Anything else is relaxed, as
 * in the kernel: a flag or a count read without a barrier orders nothing,
 * and TSan must be able to say so (docs/design.md, "Memory ordering").
 */
#define __READ_ONCE_ORDER(x)						\
	__builtin_choose_expr(__builtin_classify_type(x) == 5 /* pointer */, \
			      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
#define READ_ONCE(x)		__atomic_load_n(&(x), __READ_ONCE_ORDER(x))
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_acquire__after_ctrl_dep()	__atomic_thread_fence(__ATOMIC_ACQUIRE)

/* The userspace build is the CONFIG_ANON_VMA_LAZY=y, CONFIG_DEBUG_VM=y one. */
#define CONFIG_ANON_VMA_LAZY	1
#define IS_ENABLED(option)	(option)

#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))

#endif /* _SHIM_LINUX_COMPILER_H */
