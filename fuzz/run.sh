#!/usr/bin/env bash
# Runs close-tui's fuzz targets with cargo fuzz (libFuzzer), two at a time.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 30); every target unless some are named.
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). cargo fuzz wants
# nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
# Each target starts from fuzz/seeds/TARGET and keeps what it learns in
# fuzz/corpus/TARGET; a crash lands in fuzz/artifacts/TARGET and fails the
# run. FUZZ_TARGET_DIR moves the (large) build elsewhere, FUZZ_JOBS sets
# how many run at once, and FUZZ_PROFILE=dev builds without optimising:
# a cold build in about 5.5 minutes instead of 9, and still some 12,000
# executions a second, which is what CI's short smoke run needs.
#
# No AddressSanitizer: the parsers are safe Rust, where it finds nothing
# and halves the speed. Debug assertions stay on, so an arithmetic
# overflow is a crash.
set -euo pipefail
cd "$(dirname "$0")"

secs=${1:-30}
shift || true
export RUSTC_BOOTSTRAP=1
build=(--sanitizer none --debug-assertions)
if [ "${FUZZ_PROFILE:-release}" = dev ]; then
    build+=(--dev)
fi
if [ -n "${FUZZ_TARGET_DIR:-}" ]; then
    build+=(--target-dir "$FUZZ_TARGET_DIR")
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

echo "== cargo fuzz build (${targets[*]})"
cargo fuzz build "${build[@]}" 2>&1 | tail -n 3

mkdir -p logs
run_one() {
    local target=$1
    mkdir -p "corpus/$target"
    if [ -d "seeds/$target" ]; then
        cp -n "seeds/$target"/* "corpus/$target/" 2>/dev/null || true
    fi
    if cargo fuzz run "${build[@]}" "$target" "corpus/$target" -- \
        -max_total_time="$secs" -print_final_stats=1 -max_len=65536 \
        >"logs/$target.log" 2>&1; then
        echo ok >"logs/$target.status"
    else
        echo FAILED >"logs/$target.status"
    fi
}

jobs=${FUZZ_JOBS:-2}
for target in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n || true
    done
    echo "== $target for ${secs}s"
    run_one "$target" &
done
wait

failed=0
printf '%-16s %-7s %14s %10s\n' target result executions exec/s
for target in "${targets[@]}"; do
    status=$(cat "logs/$target.status")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$target.log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "logs/$target.log" | tail -n 1)
    printf '%-16s %-7s %14s %10s\n' "$target" "$status" "${execs:-?}" "${rate:-?}"
    if [ "$status" != ok ]; then
        failed=1
        grep -m 5 -E 'panicked|ERROR|SUMMARY|artifact' "logs/$target.log" || true
    fi
done
exit "$failed"
