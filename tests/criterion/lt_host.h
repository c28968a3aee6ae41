/* SPDX-License-Identifier: GPL-2.0 */
/* lt's userspace host: Criterion assertions over seam/user. */
#ifndef __LAZYRMAP_LT_HOST_H
#define __LAZYRMAP_LT_HOST_H

#include <criterion/criterion.h>

#define LT_TRUE(t, cond)	cr_assert((cond), "%s", #cond)
#define LT_FALSE(t, cond)	cr_assert(!(cond), "!(%s)", #cond)
#define LT_EQ(t, a, b)		cr_assert_eq((long long)(a), (long long)(b), \
					     "%s == %s: %lld != %lld", #a, #b, \
					     (long long)(a), (long long)(b))
#define LT_NE(t, a, b)		cr_assert_neq((long long)(a), (long long)(b), \
					      "%s != %s", #a, #b)
#define LT_PTR_EQ(t, a, b)	cr_assert_eq((const void *)(a), (const void *)(b), \
					     "%s == %s: %p != %p", #a, #b, \
					     (const void *)(a), (const void *)(b))
#define LT_NULL(t, p)		cr_assert_null((p), "%s is NULL", #p)
#define LT_NOT_NULL(t, p)	cr_assert_not_null((p), "%s is not NULL", #p)
#define LT_SKIP(t, why)		cr_skip_test("%s", (why))

#endif /* __LAZYRMAP_LT_HOST_H */
