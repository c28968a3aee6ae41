#!/usr/bin/env bash
# Build core/ as the kernel builds it: the series' objects in the patched
# tree (ARCH=um, defconfig with CONFIG_ANON_VMA_LAZY=y), with W=1 and
# sparse (C=1): any warning fails. The objects of core/ and mm/anon_vma.o,
# the mainline code they call, carved out of rmap.c by the series.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/../rig/kernel.sh"
cd "$LAZYRMAP_TOP"

src=$LAZYRMAP_LAZY_TREE
[ -f "$src/mm/anon_vma_lazy.c" ] || die "$src has no series applied (kernel-glue/apply)"
obj=$LAZYRMAP_BUILD/kobj-um
mkdir -p "$obj"
if [ ! -f "$obj/.config" ] || ! grep -q '^CONFIG_ANON_VMA_LAZY=y' "$obj/.config"; then
	note "configuring $obj (UML defconfig, CONFIG_ANON_VMA_LAZY=y)"
	make -s -C "$src" ARCH=um O="$obj" defconfig >/dev/null
	"$src/scripts/config" --file "$obj/.config" -e ANON_VMA_LAZY
	make -s -C "$src" ARCH=um O="$obj" olddefconfig >/dev/null
	grep -q '^CONFIG_ANON_VMA_LAZY=y' "$obj/.config" || die "CONFIG_ANON_VMA_LAZY did not stick in $obj/.config"
fi
objs=$(grep -v '^#' kernel-glue/manifest | awk '$2 == "mm" && $1 ~ /\.c$/ { print $1 }' |
	xargs -n1 basename | sed 's|^|mm/|; s|\.c$|.o|')
objs="$objs mm/anon_vma.o"
log=$LAZYRMAP_BUILD/kbuild-core.log
rm -f $(for o in $objs; do echo "$obj/$o"; done)
# shellcheck disable=SC2086
make -C "$src" ARCH=um O="$obj" W=1 C=1 CC="ccache gcc" -j"$(nproc)" $objs \
	>"$log" 2>&1 || { tail -40 "$log"; die "kernel build of the series' objects failed"; }
if grep -E 'warning|error|: sparse:' "$log"; then
	die "not clean as kernel objects (W=1, sparse), see $log"
fi
for o in $objs; do
	[ -f "$obj/$o" ] || die "$o was not built"
done
echo "kernel build: $(echo $objs | wc -w) objects of the series built for ARCH=um with W=1 and sparse, no warning"
