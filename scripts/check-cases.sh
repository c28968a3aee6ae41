#!/usr/bin/env bash
# Every LT_CASE() under tests/cases is in tests/cases/lt_cases.h once, and
# nothing is listed there that does not exist.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$LAZYRMAP_TOP/tests/cases"

defined=$(grep -ho '^LT_CASE([a-z0-9_]*)' ./*.c | sed 's/LT_CASE(\(.*\))/\1/' | sort)
listed=$(grep -o '^LT_CASE_ITEM([a-z0-9_]*)' lt_cases.h | sed 's/LT_CASE_ITEM(\(.*\))/\1/' | sort)
dups=$(uniq -d <<<"$listed")
if [ -n "$dups" ] || [ "$defined" != "$listed" ]; then
	echo "tests/cases/lt_cases.h does not match the LT_CASE() definitions:"
	diff <(echo "$defined") <(echo "$listed") || true
	[ -n "$dups" ] && echo "listed twice: $dups"
	exit 1
fi
echo "case list: $(wc -l <<<"$defined") cases, each listed once"
