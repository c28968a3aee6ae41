/* SPDX-License-Identifier: GPL-2.0 */
/* The Criterion adapter's entry into lt's userspace host. */
#ifndef __LAZYRMAP_LT_USER_H
#define __LAZYRMAP_LT_USER_H

struct lt;

struct lt *lt_user_begin(void);
void lt_user_end(struct lt *t);

#endif /* __LAZYRMAP_LT_USER_H */
