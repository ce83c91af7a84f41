# lib.sh: helpers for integration scripts — PASS/FAIL/SKIPPED lines and the closing count.
# Source it, call `t_pass NAME`, `t_fail NAME WHY`, `t_skip NAME WHY`, and end with `t_done`.
t_passed=0 t_failed=0 t_skipped=0
t_pass() { t_passed=$((t_passed + 1)); printf 'PASS     %s\n' "$1"; }
t_fail() { t_failed=$((t_failed + 1)); printf 'FAIL     %s: %s\n' "$1" "$2"; }
t_skip() { t_skipped=$((t_skipped + 1)); printf 'SKIPPED  %s: %s\n' "$1" "$2"; }
t_done() {
    printf '%s: %d passed, %d failed, %d skipped\n' "${T_SUITE:-tests}" "$t_passed" "$t_failed" "$t_skipped"
    [ "$t_failed" -eq 0 ]
}
# kvm_usable: is /dev/kvm there and openable? Sets KVM_WHY when not.
kvm_usable() {
    if [ ! -e /dev/kvm ]; then KVM_WHY="/dev/kvm does not exist"; return 1; fi
    if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then KVM_WHY="no permission to open /dev/kvm"; return 1; fi
    return 0
}
