#!/bin/sh
# extract.sh FILE NAME...: print, verbatim, the inline functions NAME... of
# FILE (a header of the patched kernel tree), for the userspace stand-ins
# to include. The helpers the ANON_VMA_LAZY series changes, and those its
# code leans on, are tested as they are in the kernel, never typed again.
set -eu
file=${1:?usage: extract.sh FILE NAME...}
shift
[ -f "$file" ] || { echo "extract.sh: no $file" >&2; exit 1; }
echo "/* Generated from $(basename "$(dirname "$file")")/$(basename "$file") by seam/user/gen/extract.sh: do not edit. */"
for name in "$@"; do
	awk -v name="$name" '
	!inside && $0 ~ "^static (__always_)?(inline )?[a-z_ *]*[ *]" name "\\(" { inside = 1 }
	inside { print }
	inside && /^}/ { inside = 0; found = 1; print "" }
	END { if (!found) { print "extract.sh: " name " not found" > "/dev/stderr"; exit 1 } }
	' "$file"
done
