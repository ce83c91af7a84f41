#!/bin/sh
# suite.sh DIR: CPU-heavy, deterministic work done by programs we did not write (Debian's
# openssl, xz, bzip2, gzip, bc; busybox's sha256sum), one "VT-SUITE name result" line each.
# boot.sh runs it on the host CPU (the reference) and inside Debian's Linux under vireo, with
# the same binaries and the same keys in DIR (made by prepare.sh), and compares the lines.
# OpenSSL picks its code paths (AES-NI, AVX2, SHA extensions ...) from CPUID, so the guest
# runs whichever ones vireo's CPU model advertises.
# VT_SUITE_SCALE=N multiplies the work (the long run of `make check-boot-all`).
D=$1
export OPENSSL_CONF=/dev/null LC_ALL=C
# By path: busybox's shell prefers its own applets (gzip, xz, bc ...) to programs on $PATH.
for p in openssl xz bzip2 gzip bc; do eval "$p() { /usr/bin/$p \"\$@\"; }"; done
n=${VT_SUITE_SCALE:-1}
T=${TMPDIR:-/tmp}/vt-suite.$$
mkdir -p "$T"
key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
iv=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
h() { sha256sum | cut -c1-16; }
say() { echo "VT-SUITE $*"; }

# Input: an AES-256-CTR key stream (incompressible) and repetitive text (compressible).
head -c $((n * 1048576)) /dev/zero | openssl enc -aes-256-ctr -K $key -iv $iv >"$T/data"
i=0
while [ $i -lt $((n * 100)) ]; do cat "$D/text.in"; i=$((i + 1)); done >"$T/text"
say "input $(h <"$T/data") $(h <"$T/text")"

for d in md5 sha1 sha256 sha512 sha3-256 blake2b512 sm3; do
    say "dgst-$d $(openssl dgst "-$d" -r <"$T/data" | cut -c1-32)"
done
for c in aes-128-cbc aes-256-ctr aes-192-ecb chacha20 camellia-256-cbc des-ede3-cbc aria-128-cbc; do
    # (Ciphers with shorter keys or no IV say so on stderr; they use what they need.)
    openssl enc "-$c" -K $key -iv $iv <"$T/data" >"$T/enc" 2>/dev/null
    rt=bad
    openssl enc -d "-$c" -K $key -iv $iv <"$T/enc" 2>/dev/null | cmp -s - "$T/data" && rt=roundtrip-ok
    say "enc-$c $(h <"$T/enc") $rt"
done
say "hmac-sha256 $(openssl dgst -sha256 -hmac vireo -r <"$T/data" | cut -c1-32)"
# RSA PKCS#1 v1.5 and Ed25519 signatures are deterministic: big-number and curve arithmetic.
say "rsa3072-sign $(openssl dgst -sha256 -sign "$D/rsa.pem" <"$T/text" | h)"
say "ed25519-sign $(openssl pkeyutl -sign -rawin -inkey "$D/ed25519.pem" -in "$D/text.in" | h)"
say "x25519-derive $(openssl pkeyutl -derive -inkey "$D/x25519-a.pem" -peerkey "$D/x25519-b.pub" | h)"

# Compressors: the compressed stream is a function of the input, and it must decompress.
for z in "xz -T1 -6" "bzip2 -9" "gzip -9 -n"; do
    for f in data text; do
        $z -c <"$T/$f" >"$T/z"
        rt=bad
        ${z%% *} -d -c <"$T/z" | cmp -s - "$T/$f" && rt=roundtrip-ok
        say "${z%% *}-$f $(h <"$T/z") $(wc -c <"$T/z") $rt"
    done
done

# bc -l: arbitrary-precision arithmetic (pi, e, sqrt 2, ln 10, 2^1000).
say "bc $(echo "scale=$((n * 300)); 4*a(1); e(1); sqrt(2); l(10); 2^1000" | bc -l | h)"
rm -rf "$T"
say done
