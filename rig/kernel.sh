# shellcheck shell=bash
# Shared by scripts/run and scripts/test: the patched tree and UML builds.

LAZYRMAP_LAZY_TREE=$LAZYRMAP_BUILD/linux-lazy

# The patched tree, brought to this version of kernel-glue/: reused when
# it already is, reverted and re-applied when an older one is there.
patched_tree() {
	local want have
	want=$("$LAZYRMAP_TOP/kernel-glue/apply" --version)
	have=$(cat "$LAZYRMAP_LAZY_TREE/.lazyrmap-applied/version" 2>/dev/null || true)
	if [ "$have" = "$want" ]; then
		note "reusing $LAZYRMAP_LAZY_TREE (series $want)"
		return 0
	fi
	if [ -n "$have" ]; then
		note "$LAZYRMAP_LAZY_TREE has series $have: taking it out first"
		"$LAZYRMAP_TOP/kernel-glue/apply" --revert "$LAZYRMAP_LAZY_TREE" >/dev/null
	fi
	"$LAZYRMAP_TOP/kernel-glue/apply" |
		sed 's/^/    /'
}

# kbuild_for ARCH: set make_args and cc for a kernel build for ARCH (um,
# x86_64, arm64; arm64 is cross-compiled with Debian's aarch64-linux-gnu-).
kbuild_for() {
	case "$1" in
	arm64) make_args=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) cc="ccache aarch64-linux-gnu-gcc" ;;
	*) make_args=(ARCH="$1") cc="ccache gcc" ;;
	esac
}

# build_uml SRC OBJ FRAGMENT...: configure OBJ from defconfig plus the
# fragments (again only when they changed) and build it with ccache.
build_uml() {
	local src=$1 obj=$2 log
	shift 2
	log=$obj.log
	mkdir -p "$obj"
	if [ ! -f "$obj/.config" ] || [ -n "$(find "$@" -newer "$obj/.config")" ]; then
		make -s -C "$src" ARCH=um O="$obj" defconfig >/dev/null
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$@" >/dev/null
		make -s -C "$src" ARCH=um O="$obj" olddefconfig >/dev/null
	fi
	if ! make -C "$src" ARCH=um O="$obj" CC="ccache gcc" -j"$(nproc)" >"$log" 2>&1; then
		tail -30 "$log"
		die "kernel build failed, see $log"
	fi
}

# boot_uml KERNEL LOG ARGS...: boot with the host's / as root, bounded.
boot_uml() {
	local kernel=$1 log=$2
	shift 2
	TMPDIR=/tmp timeout 900 "$kernel" mem=1G rootfstype=hostfs rootflags=/ rw \
		con0=fd:0,fd:1 con=null "$@" </dev/null >"$log" 2>&1 || true
}

# The shared cases under KUnit, in the patched tree (kunit.py, ARCH=um).
run_kunit() {
	local log=$LAZYRMAP_BUILD/kunit.log result
	if ! (cd "$LAZYRMAP_LAZY_TREE" && ./tools/testing/kunit/kunit.py run \
		--build_dir="$LAZYRMAP_BUILD/kunit" --jobs="$(nproc)" \
		--kunitconfig="$LAZYRMAP_TOP/rig/configs/kunit.config" \
		--make_options CC="ccache gcc") >"$log" 2>&1; then
		grep -E 'FAILED|ASSERTION|Expected|ERROR' "$log" | head -30
		die "KUnit failed, see $log"
	fi
	result=$(grep -o 'Ran [0-9]* tests: .*' "$log" | tail -1)
	case "$result" in
	*"passed: 0"*|"") die "KUnit ran no test, see $log" ;;
	*failed:*) die "KUnit: $result" ;;
	esac
	note "KUnit: $result"
}

# check_guest LOG [KNOWN]: the guest finished, and its kernel log has no
# splat but those matching the regex KNOWN (reported, not failed).
check_guest() {
	local log=$1 known=${2:-} splat lines
	grep -q LAZYRMAP-DONE "$log" || { tail -40 "$log"; die "the guest did not finish, see $log"; }
	grep -q LAZYRMAP-SPLAT "$log" || return 0
	# shellcheck disable=SC1091
	splat=$(. "$LAZYRMAP_TOP/rig/guest/lib.sh" && echo "$LAZYRMAP_SPLAT")
	lines=$(grep -E "$splat" "$log" | grep -v '^\[ *[0-9.]*\]' || true)
	if [ -n "$known" ]; then
		grep -E "$known" <<<"$lines" | sort | uniq -c | sed 's/^/    known, not ours: /' || true
		lines=$(grep -vE "$known" <<<"$lines" || true)
	fi
	if [ -n "$lines" ]; then
		echo "the kernel log has a BUG, WARNING, lockdep or KASAN report:"
		head -20 <<<"$lines"
		die "splat in the kernel log, see $log"
	fi
}

# build_qemu ARCH SRC OBJ FRAGMENT...: a kernel image for a QEMU guest
# (x86_64 bzImage, or an arm64 Image cross-built with Debian's
# aarch64-linux-gnu-gcc) in OBJ from tinyconfig plus the fragments
# (configured again only when they changed), with ccache; every =y of the
# fragments must reach .config.
build_qemu() {
	local arch=$1 src=$2 obj=$3 log missing make_args cc target=bzImage
	shift 3
	kbuild_for "$arch"
	make_args+=(O="$obj")
	[ "$arch" = arm64 ] && target=Image
	log=$obj.log
	mkdir -p "$obj"
	if [ ! -f "$obj/.config" ] || [ -n "$(find "$@" -newer "$obj/.config")" ]; then
		make -s -C "$src" "${make_args[@]}" tinyconfig >/dev/null
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$@" >/dev/null
		make -s -C "$src" "${make_args[@]}" olddefconfig >/dev/null
		# An unpatched tree (a baseline) has no ANON_VMA_LAZY to set.
		missing=$(cat "$@" | sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' | sort -u |
			{ if [ -e "$src/mm/anon_vma_lazy.c" ]; then cat; else grep -v ANON_VMA_LAZY; fi; } |
			while read -r opt; do grep -qx "$opt=y" "$obj/.config" || echo "$opt"; done)
		if [ -n "$missing" ]; then
			rm -f "$obj/.config"
			die "not in the $arch .config (a dependency is missing): $(echo $missing)"
		fi
	fi
	if ! make -C "$src" "${make_args[@]}" CC="$cc" -j"$(nproc)" "$target" >"$log" 2>&1; then
		tail -30 "$log"
		die "kernel build failed, see $log"
	fi
}

# What both QEMU guests share: 2 GiB in two NUMA nodes of two vCPUs each,
# a serial console, no reboot, and the host's / over 9p.
LAZYRMAP_QEMU_MACHINE=(-m 2048M
	-object memory-backend-ram,id=m0,size=1024M -numa node,nodeid=0,cpus=0-1,memdev=m0
	-object memory-backend-ram,id=m1,size=1024M -numa node,nodeid=1,cpus=2-3,memdev=m1
	-display none -nodefaults -serial stdio -no-reboot
	-virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,multidevs=remap)

# x86_accel: "kvm" if a KVM guest boots here, else "tcg". Nested KVM hangs
# right after the boot loader on some hosts (../shared/notes/qemu.md), so a
# guest is booted once to find out; the answer is kept until the host
# reboots. LAZYRMAP_ACCEL=kvm|tcg decides without asking.
x86_accel() {
	local kernel=$1 probe=$LAZYRMAP_BUILD/x86-accel
	if [ -n "${LAZYRMAP_ACCEL:-}" ]; then
		echo "$LAZYRMAP_ACCEL"
		return
	fi
	if [ -s "$probe" ] && [ -n "$(find "$probe" -newermt "$(uptime -s)")" ]; then
		cat "$probe"
		return
	fi
	echo tcg >"$probe"
	if [ -w /dev/kvm ] &&
	   LAZYRMAP_ACCEL=kvm LAZYRMAP_GUEST_TIMEOUT=30 boot_x86 "$kernel" "$probe.log" "" \
		init="$LAZYRMAP_TOP/rig/guest/probe.sh" &&
	   grep -q LAZYRMAP-DONE "$probe.log"; then
		echo kvm >"$probe"
	fi
	cat "$probe"
}

# boot_x86 KERNEL LOG SWAP ARGS...: the x86_64 guest, bounded in time: 4
# vCPUs in two sockets and two NUMA nodes of 1 GiB, the host's / as root
# over 9p, SWAP (a file, or "") as a virtio disk, ARGS on the kernel
# command line. LAZYRMAP_QEMU_ICOUNT=1 makes the guest clock count
# instructions (single-threaded TCG, -icount shift=0).
boot_x86() {
	local kernel=$1 log=$2 swap=$3 accel cpu
	shift 3
	accel=$(x86_accel "$kernel")
	case "$accel" in
	kvm) cpu=(-accel kvm -cpu host,-arch-capabilities) ;;
	*) cpu=(-accel tcg,thread=multi -cpu max) ;;
	esac
	[ "${LAZYRMAP_QEMU_ICOUNT:-0}" = 1 ] &&
		cpu=(-accel tcg,thread=single -cpu max -icount shift=0,sleep=off)
	local disk=()
	[ -n "$swap" ] && disk=(-drive "file=$swap,if=virtio,format=raw")
	timeout "${LAZYRMAP_GUEST_TIMEOUT:-3600}" qemu-system-x86_64 "${cpu[@]}" \
		-smp 4,sockets=2,cores=2,threads=1 "${LAZYRMAP_QEMU_MACHINE[@]}" \
		"${disk[@]}" -kernel "$kernel" \
		-append "console=ttyS0 root=hostroot rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144 rw panic=-1 $*" \
		</dev/null >"$log" 2>&1 || true
	# The serial console ends lines with CR LF.
	sed -i 's/\r$//' "$log"
}

# arm64_initramfs: build/arm64-initramfs.gz, Debian's busybox-static for
# arm64 and an /init that mounts the host's / over 9p at /host, binds the
# checkout into place, and runs the guest script named by LAZYRMAP_INIT
# with busybox's sh: the guest scripts and programs are the host's files,
# as under UML and x86_64, but the guest's userspace is arm64.
arm64_initramfs() {
	local dir=$LAZYRMAP_BUILD/arm64-initramfs out=$LAZYRMAP_BUILD/arm64-initramfs.gz
	arm64_busybox
	[ -s "$out" ] && [ "$out" -nt "$LAZYRMAP_TOP/rig/guest/arm64-init" ] &&
		[ "$out" -nt "$LAZYRMAP_BUILD/arm64-busybox" ] && return 0
	rm -rf "$dir" && mkdir -p "$dir/bin"
	cp "$LAZYRMAP_BUILD/arm64-busybox" "$dir/bin/busybox"
	cp "$LAZYRMAP_TOP/rig/guest/arm64-init" "$dir/init"
	chmod 755 "$dir/init" "$dir/bin/busybox"
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -9) >"$out"
}

# arm64_busybox: build/arm64-busybox, from Debian's busybox-static:arm64
# (downloaded, not installed: it would replace the host's busybox).
arm64_busybox() {
	local bb=$LAZYRMAP_BUILD/arm64-busybox tmp
	[ -x "$bb" ] && return 0
	tmp=$(mktemp -d)
	if ! (cd "$tmp" && apt-get download busybox-static:arm64 >/dev/null 2>&1); then
		if [ "$(id -u)" != 0 ]; then
			rm -rf "$tmp"
			die "need Debian's busybox-static:arm64: as root, run 'dpkg --add-architecture arm64 && apt-get update', then this again"
		fi
		note "adding the arm64 architecture to dpkg, to download busybox-static:arm64"
		dpkg --add-architecture arm64
		apt-get update >/dev/null
		(cd "$tmp" && apt-get download busybox-static:arm64 >/dev/null) ||
			{ rm -rf "$tmp"; die "apt-get download busybox-static:arm64 failed"; }
	fi
	dpkg -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
	cp "$tmp/x/bin/busybox" "$bb"
	rm -rf "$tmp"
}

# boot_arm64 KERNEL LOG SWAP ARGS...: the arm64 guest (QEMU virt, TCG, 4
# vCPUs in two NUMA nodes of 1 GiB), bounded in time. The initramfs runs
# the script an init=... argument names (passed on as LAZYRMAP_INIT).
boot_arm64() {
	local kernel=$1 log=$2 swap=$3 arg args=()
	shift 3
	arm64_initramfs
	for arg in "$@"; do
		case "$arg" in
		init=*) args+=("LAZYRMAP_INIT=${arg#init=}") ;;
		*) args+=("$arg") ;;
		esac
	done
	local disk=()
	[ -n "$swap" ] && disk=(-drive "file=$swap,if=none,format=raw,id=d0" -device virtio-blk-pci,drive=d0)
	timeout "${LAZYRMAP_GUEST_TIMEOUT:-3600}" qemu-system-aarch64 -M virt \
		-accel tcg,thread=multi -cpu max -smp 4 "${LAZYRMAP_QEMU_MACHINE[@]}" \
		"${disk[@]}" -kernel "$kernel" -initrd "$LAZYRMAP_BUILD/arm64-initramfs.gz" \
		-append "console=ttyAMA0 rdinit=/init panic=-1 LAZYRMAP_TOP=$LAZYRMAP_TOP ${args[*]}" \
		</dev/null >"$log" 2>&1 || true
	sed -i 's/\r$//' "$log"
}

# The guests: ARCH is um (User Mode Linux, one CPU), x86_64 or arm64 (QEMU,
# 4 vCPUs, two NUMA nodes, THP); KIND is debug, kasan, kcsan (x86_64), bench
# (no debug options) or failslab (um).
guest_configs() {
	local c=$LAZYRMAP_TOP/rig/configs
	case "$1/$2" in
	um/debug) echo "$c/uml-debug.config" ;;
	um/kasan) echo "$c/uml-debug.config $c/uml-kasan.config" ;;
	um/bench) echo "$c/uml-bench.config" ;;
	um/failslab) echo "$c/uml-debug.config $c/uml-failslab.config" ;;
	x86_64/debug) echo "$c/x86-base.config $c/x86-debug.config" ;;
	x86_64/kasan) echo "$c/x86-base.config $c/x86-debug.config $c/x86-kasan.config" ;;
	x86_64/kcsan) echo "$c/x86-base.config $c/x86-kcsan.config" ;;
	x86_64/kcsan-strict) echo "$c/x86-base.config $c/x86-kcsan.config $c/kcsan-strict.config" ;;
	x86_64/bench) echo "$c/x86-base.config" ;;
	arm64/debug) echo "$c/arm64-base.config $c/arm64-debug.config" ;;
	arm64/kcsan) echo "$c/arm64-base.config $c/arm64-kcsan.config" ;;
	arm64/kcsan-strict) echo "$c/arm64-base.config $c/arm64-kcsan.config $c/kcsan-strict.config" ;;
	arm64/bench) echo "$c/arm64-base.config" ;;
	*) die "no $2 kernel for $1 (um: debug kasan bench failslab; x86_64: debug kasan kcsan kcsan-strict bench; arm64: debug kcsan kcsan-strict bench)" ;;
	esac
}

# guest_kernel ARCH KIND [TREE NAME]: build that kernel from TREE (the
# patched one by default) into build/NAME, and print the image's path.
guest_kernel() {
	local arch=$1 kind=$2 tree=${3:-$LAZYRMAP_LAZY_TREE} name=${4:-}
	local configs
	read -r -a configs <<<"$(guest_configs "$arch" "$kind")"
	case "$arch" in
	um)
		name=${name:-uml-$kind}
		[ "$kind" = debug ] && [ -z "${4:-}" ] && name=uml-lazy
		build_uml "$tree" "$LAZYRMAP_BUILD/$name" "${configs[@]}" >&2
		echo "$LAZYRMAP_BUILD/$name/linux"
		;;
	x86_64)
		name=${name:-x86-$kind}
		build_qemu x86_64 "$tree" "$LAZYRMAP_BUILD/$name" "${configs[@]}" >&2
		echo "$LAZYRMAP_BUILD/$name/arch/x86/boot/bzImage"
		;;
	arm64)
		name=${name:-arm64-$kind}
		build_qemu arm64 "$tree" "$LAZYRMAP_BUILD/$name" "${configs[@]}" >&2
		echo "$LAZYRMAP_BUILD/$name/arch/arm64/boot/Image"
		;;
	esac
}

# boot_guest ARCH KERNEL LOG SWAP ARGS...: boot and wait for power-off.
boot_guest() {
	local arch=$1 kernel=$2 log=$3 swap=$4
	shift 4
	case "$arch" in
	um) boot_uml "$kernel" "$log" ${swap:+ubd0="$swap"} "$@" ;;
	x86_64) boot_x86 "$kernel" "$log" "$swap" "$@" ;;
	arm64) boot_arm64 "$kernel" "$log" "$swap" "$@" ;;
	esac
}

# The arches a command runs on: --arch um|x86_64|arm64.
check_arch() {
	case "$1" in
	um|x86_64|arm64) ;;
	*) die "--arch wants um, x86_64 or arm64, not '$1'" ;;
	esac
}
