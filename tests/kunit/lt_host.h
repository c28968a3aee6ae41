/* SPDX-License-Identifier: GPL-2.0 */
/* lt's kernel host: KUnit assertions; the case aborts on the first failure. */
#ifndef __LAZYRMAP_LT_HOST_H
#define __LAZYRMAP_LT_HOST_H

#include <kunit/test.h>

struct kunit *lt_kunit(struct lt *t);

#define LT_TRUE(t, cond)	KUNIT_ASSERT_TRUE(lt_kunit(t), cond)
#define LT_FALSE(t, cond)	KUNIT_ASSERT_FALSE(lt_kunit(t), cond)
#define LT_EQ(t, a, b)		\
	KUNIT_ASSERT_EQ(lt_kunit(t), (long long)(a), (long long)(b))
#define LT_NE(t, a, b)		\
	KUNIT_ASSERT_NE(lt_kunit(t), (long long)(a), (long long)(b))
#define LT_PTR_EQ(t, a, b)	\
	KUNIT_ASSERT_PTR_EQ(lt_kunit(t), (const void *)(a), (const void *)(b))
#define LT_NULL(t, p)		KUNIT_ASSERT_NULL(lt_kunit(t), p)
#define LT_NOT_NULL(t, p)	KUNIT_ASSERT_NOT_NULL(lt_kunit(t), p)
#define LT_SKIP(t, why)		kunit_skip(lt_kunit(t), "%s", why)

#endif /* __LAZYRMAP_LT_HOST_H */
