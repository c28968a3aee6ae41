/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/bug.h>. A WARN is counted and printed, not
 * fatal, as in the kernel; tests read the count to assert that a WARN did, or
 * did not, fire. BUG aborts. DEBUG_VM is always on in userspace.
 */
#ifndef _SHIM_LINUX_BUG_H
#define _SHIM_LINUX_BUG_H

#include <linux/compiler.h>

#define CONFIG_DEBUG_VM 1

void shim_warn(const char *file, int line, const char *cond);
void __attribute__((__noreturn__)) shim_bug(const char *file, int line,
					    const char *cond);
unsigned long shim_warn_count(void);

#define WARN_ON(cond) ({						\
	bool __c = !!(cond);						\
	if (unlikely(__c))						\
		shim_warn(__FILE__, __LINE__, #cond);			\
	unlikely(__c);							\
})
#define WARN_ON_ONCE(cond)		WARN_ON(cond)
#define WARN(cond, fmt...)		WARN_ON(cond)
#define WARN_ONCE(cond, fmt...)		WARN_ON(cond)
#define BUG()				shim_bug(__FILE__, __LINE__, "BUG")
#define BUG_ON(cond) do {						\
	if (unlikely(cond))						\
		shim_bug(__FILE__, __LINE__, #cond);			\
} while (0)
#define BUILD_BUG_ON(cond)		_Static_assert(!(cond), #cond)

#define VM_BUG_ON(cond)			BUG_ON(cond)
#define VM_BUG_ON_VMA(cond, vma)	BUG_ON(cond)
#define VM_BUG_ON_FOLIO(cond, folio)	BUG_ON(cond)
#define VM_WARN_ON(cond)		((void)WARN_ON(cond))
#define VM_WARN_ON_ONCE(cond)		WARN_ON_ONCE(cond)
#define VM_WARN_ON_ONCE_VMA(cond, vma)	WARN_ON_ONCE(cond)
#define VM_WARN_ON_ONCE_FOLIO(cond, f)	WARN_ON_ONCE(cond)

#endif /* _SHIM_LINUX_BUG_H */
