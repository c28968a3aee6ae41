#!/usr/bin/env bash
# core/ includes only the seam and its own headers; the public header
# (core/include/linux) only what a public kernel header may.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$LAZYRMAP_TOP"

bad=0
own=$(cd core && find . -name '*.h' | sed 's|^\./||; s|^include/||')
while IFS= read -r line; do
	file=${line%%:*}
	inc=$(sed -E 's/.*#include[[:space:]]*[<"]([^>"]+)[>"].*/\1/' <<<"$line")
	case "$file" in
	core/include/*)
		case "$inc" in
		linux/bug.h|linux/errno.h|linux/list.h|linux/mm_types.h) continue ;;
		esac ;;
	*)
		[ "$inc" = anon_vma_lazy_internal.h ] && continue
		grep -qxF "$inc" <<<"$own" && continue ;;
	esac
	echo "core include not allowed: $line"
	bad=1
done < <(grep -rn '^[[:space:]]*#[[:space:]]*include' core/)
# A seam holds includes only: kernel headers, and mm/anon_vma.h (what the
# core calls in mm/anon_vma.c), or on the userspace side their stand-ins.
for seam in seam/kernel/anon_vma_lazy_internal.h seam/user/anon_vma_lazy_internal.h; do
	if grep -vE '^(#include <linux/[a-z_-]+\.h>|#include "anon_vma\.h"|#(ifndef|define|endif) .*|/\*.*|[[:space:]]*\*.*|)$' "$seam"; then
		echo "$seam: a seam holds only #include <linux/...> lines and \"anon_vma.h\""
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "include lint: core/ includes only the seam and its own headers"
exit $bad
