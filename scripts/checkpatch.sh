#!/usr/bin/env bash
# scripts/checkpatch.pl --strict from the 6.12 tree over the kernel-dialect
# files (core/, seam/kernel/, the shared test cases and their KUnit
# adapter) and over every patch of kernel-glue/. Any remark fails but the
# few accepted below, each for a named patch and a stated reason.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
kernel_source
cd "$LAZYRMAP_TOP"

mapfile -t files < <(find core seam/kernel tests/cases tests/kunit tests/selftests tests/stress rig/guest bench \
	-name '*.[ch]' 2>/dev/null | sort)
out=$(perl "$LAZYRMAP_KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
	--show-types --ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES \
	-f "${files[@]}" 2>&1 | grep -E '(ERROR|WARNING|CHECK):' || true)
# The series, as patches (absolute paths: given a path git tracks,
# checkpatch would read the .patch as a source file).
mapfile -t patches < <(ls "$LAZYRMAP_TOP"/kernel-glue/patches/*.patch "$LAZYRMAP_TOP"/rig/uml-host/*.patch)
# Accepted on purpose, and only where named:
# - FILE_PATH_CHANGES: every file the series adds falls under an F: line
#   of MAINTAINERS (mm/, tools/testing/vma/, Documentation/, and the
#   entry patch 5 adds for include/linux/anon_vma_handle.h).
# - The carve moves rmap.c's anon_vma code verbatim, its BUG_ON()s and
#   spacing included, so that `git show --color-moved` shows a pure move.
# - UNKNOWN_COMMIT_ID: patch 2 and the cover letter name mainline commits
#   (the fix patch 2 backports, and what it fixes); Debian's 6.12 source
#   has no git history to find them in.
# - tools/testing/vma declares VMA_ITERATOR() before the vma_merge_struct
#   that points at it, as every test in that file does.
accepted() {
	case "$(basename "$1")" in
	*-mm-move-the-anon_vma-code-out-of-rmap.c-*)
		echo FILE_PATH_CHANGES,AVOID_BUG,LINE_SPACING,PARENTHESIS_ALIGNMENT,SPACING ;;
	*-fs-proc-fix-KPF_KSM-reported-for-all-anonymous-pages.patch|0000-cover-letter.patch)
		echo FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID ;;
	*-tools-testing-vma-add-tests-of-lazy-VMAs.patch)
		echo FILE_PATH_CHANGES,LINE_SPACING ;;
	*) echo FILE_PATH_CHANGES ;;
	esac
}
for p in "${patches[@]}"; do
	r=$(perl "$LAZYRMAP_KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types --ignore "$(accepted "$p")" "$p" 2>&1 |
		grep -E '(ERROR|WARNING|CHECK):' || true)
	[ -z "$r" ] || out+=${out:+$'\n'}$r
done
if [ -n "$out" ]; then
	echo "$out"
	echo "checkpatch --strict: $(wc -l <<<"$out") remarks"
	exit 1
fi
echo "checkpatch --strict: ${#files[@]} files and ${#patches[@]} patches clean"
