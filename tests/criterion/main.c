// SPDX-License-Identifier: GPL-2.0
/* The Criterion adapter: one Test() per entry of the shared case list. */
#include "lt.h"
#include "lt_user.h"

#define LT_CASE_ITEM(name)						\
	Test(lazyrmap, name)						\
	{								\
		struct lt *t = lt_user_begin();				\
									\
		lt_case_##name(t);					\
		lt_user_end(t);						\
	}
#include "lt_cases.h"
