# shellcheck shell=bash
# Shared by the scripts: paths, progress output, dependency checks.

LAZYRMAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAZYRMAP_BUILD=${LAZYRMAP_BUILD:-$LAZYRMAP_TOP/build}
LAZYRMAP_KSRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
LAZYRMAP_KSRC=${LAZYRMAP_KSRC:-$LAZYRMAP_BUILD/linux-source-6.12}

step() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# need_packages PKG...: install what is missing (root), or name it and stop.
need_packages() {
	local missing=() pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q "install ok installed" || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		die "missing Debian packages: ${missing[*]} (apt-get install ${missing[*]})"
	fi
	note "installing: ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
		>"$LAZYRMAP_BUILD/apt.log" 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$LAZYRMAP_BUILD/apt.log" 2>&1 ||
			die "apt-get update failed, see $LAZYRMAP_BUILD/apt.log"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
			>>"$LAZYRMAP_BUILD/apt.log" 2>&1 ||
			die "could not install ${missing[*]}, see $LAZYRMAP_BUILD/apt.log"
	fi
}

# The packages the userspace build and tests need.
LAZYRMAP_USER_PACKAGES=(gcc make cmake pkg-config libcriterion-dev liburcu-dev)
# What building a kernel from Debian's linux-source-6.12 needs.
LAZYRMAP_KERNEL_PACKAGES=(linux-source-6.12 xz-utils bc flex bison libelf-dev
	libssl-dev perl python3 ccache sparse)
# The arm64 guest: cross compiler and libc for the kernel and the static
# guest programs, QEMU, cpio for the initramfs (busybox-static:arm64 is
# downloaded, see rig/kernel.sh).
LAZYRMAP_ARM64_PACKAGES=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm cpio)

# A pristine 6.12 tree under build/, unpacked once from Debian's tarball.
kernel_source() {
	if [ -f "$LAZYRMAP_KSRC/Makefile" ]; then
		return 0
	fi
	[ -f "$LAZYRMAP_KSRC_TARBALL" ] || die "$LAZYRMAP_KSRC_TARBALL not found (apt-get install linux-source-6.12)"
	note "unpacking $LAZYRMAP_KSRC_TARBALL"
	mkdir -p "$LAZYRMAP_BUILD"
	rm -rf "$LAZYRMAP_KSRC.partial"
	mkdir -p "$LAZYRMAP_KSRC.partial"
	tar -C "$LAZYRMAP_KSRC.partial" -xJf "$LAZYRMAP_KSRC_TARBALL"
	mv "$LAZYRMAP_KSRC.partial/linux-source-6.12" "$LAZYRMAP_KSRC"
	rmdir "$LAZYRMAP_KSRC.partial"
}

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/lazyrmap-ccache}
export CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$LAZYRMAP_TOP CCACHE_DEPEND=1
