#!/usr/bin/env bash
# scripts/checkpatch.pl --strict from the 6.12 tree over the kernel-dialect
# files: core/, shim/kernel/ and the shared test cases. Any remark fails.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
kernel_source
cd "$LAZYRMAP_TOP"

mapfile -t files < <(find core shim/kernel tests/cases tests/kunit \
	-name '*.[ch]' 2>/dev/null | sort)
out=$(perl "$LAZYRMAP_KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
	--show-types --ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES \
	-f "${files[@]}" 2>&1 | grep -E '(ERROR|WARNING|CHECK):' || true)
if [ -n "$out" ]; then
	echo "$out"
	echo "checkpatch --strict: $(wc -l <<<"$out") remarks"
	exit 1
fi
echo "checkpatch --strict: ${#files[@]} files clean"
