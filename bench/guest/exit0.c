// SPDX-License-Identifier: GPL-2.0
/* The smallest program to exec: the fork+exec benchmark's child, static. */
int main(void)
{
	return 0;
}
