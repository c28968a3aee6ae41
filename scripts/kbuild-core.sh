#!/usr/bin/env bash
# Build core/ as kernel objects against the pristine 6.12 tree (ARCH=um),
# with W=1 and sparse (C=1), through shim/kernel's seam: any warning fails.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
kernel_source
cd "$LAZYRMAP_TOP"

obj=$LAZYRMAP_BUILD/kobj-um
stage=$LAZYRMAP_BUILD/kcore
if [ ! -f "$obj/scripts/mod/modpost" ]; then
	note "configuring $obj (UML defconfig, modules_prepare)"
	mkdir -p "$obj"
	make -s -C "$LAZYRMAP_KSRC" ARCH=um O="$obj" defconfig >/dev/null
	make -s -C "$LAZYRMAP_KSRC" ARCH=um O="$obj" CC="ccache gcc" \
		-j"$(nproc)" modules_prepare >/dev/null
fi

rm -rf "$stage"
mkdir -p "$stage/include/linux"
cp core/*.c core/*.h shim/kernel/lazyrmap_internal.h "$stage/"
cp core/include/linux/*.h "$stage/include/linux/"
cat >"$stage/Kbuild" <<'KBUILD'
obj-m += lazyrmap_core.o
lazyrmap_core-y := anon_vma_lazy.o
ccflags-y := -I$(src)/include -I$(src)
KBUILD

objs=$(cd "$stage" && ls ./*.c | sed 's|^\./||; s|\.c$|.o|')
log=$LAZYRMAP_BUILD/kbuild-core.log
# shellcheck disable=SC2086
make -C "$LAZYRMAP_KSRC" ARCH=um O="$obj" M="$stage" W=1 C=1 \
	CC="ccache gcc" $objs >"$log" 2>&1 || { cat "$log"; die "kernel build of core/ failed"; }
if grep -E 'warning|error|: sparse:' "$log"; then
	die "core/ is not clean as a kernel object (W=1, sparse), see $log"
fi
for o in $objs; do
	[ -f "$stage/$o" ] || die "$o was not built"
done
echo "kernel build of core/: $objs built for ARCH=um with W=1 and sparse, no warning"
