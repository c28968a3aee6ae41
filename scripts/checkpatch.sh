#!/usr/bin/env bash
# scripts/checkpatch.pl --strict from the 6.12 tree over the kernel-dialect
# files (core/, seam/kernel/, the shared test cases and their KUnit
# adapter) and over every patch of kernel-glue/. Any remark fails.
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
for p in "${patches[@]}"; do
	out+=$(perl "$LAZYRMAP_KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types "$p" 2>&1 | grep -E '(ERROR|WARNING|CHECK):' || true)
done
if [ -n "$out" ]; then
	echo "$out"
	echo "checkpatch --strict: $(wc -l <<<"$out") remarks"
	exit 1
fi
echo "checkpatch --strict: ${#files[@]} files and ${#patches[@]} patches clean"
