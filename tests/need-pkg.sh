#!/bin/sh
# need-pkg.sh CMD:PACKAGE ...: make sure each command (or file, if it starts with /) exists,
# installing the Debian package that provides it when it does not. Test scripts call this
# for their oracles (qemu-system-x86, qemu-utils, seabios, gdb, ...).
# Exits 1 with one line naming the package when it cannot be installed.
missing=""
for spec in "$@"; do
    what=${spec%%:*}; pkg=${spec#*:}
    case "$what" in
    /*) [ -e "$what" ] || missing="$missing $pkg" ;;
    *) command -v "$what" >/dev/null 2>&1 || missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
lock=/tmp/vireo-apt.lock
(
    flock 9
    # An apt-get update is needed once on a fresh machine; do it only if install fails.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null 2>&1; }
) 9>"$lock" || { echo "need-pkg: could not install:$missing" >&2; exit 1; }
