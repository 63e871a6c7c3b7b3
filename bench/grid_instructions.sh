#!/usr/bin/env bash
# Instructions executed inside the month kernel (Grid::month_totals) of the full model, counted
# by valgrind's callgrind over `cargo bench --bench phases -- --paths N` in this checkout and in
# another (e.g. a worktree of an older commit), and their ratio. Instruction counts do not
# depend on the machine's load, unlike wall times on a shared VM; they do not see cache misses
# or how many instructions retire per cycle, so quote them next to timed ratios, not instead.
#
#   git worktree add /tmp/base 115b949
#   bash bench/grid_instructions.sh /tmp/base 256
set -euo pipefail
# Valgrind decodes no AVX-512, which a native build (.cargo/config.toml) of this machine uses:
# count a portable build (it executes the same arithmetic, see bench/README.md).
export RUSTFLAGS="${RUSTFLAGS:--C target-cpu=x86-64}"
other=${1:?usage: grid_instructions.sh OTHER_CHECKOUT [PATHS]}
paths=${2:-256}
count() {
    (cd "$1" && cargo bench --no-default-features --bench phases --no-run >/dev/null 2>&1)
    local bin out
    bin=$(ls -t "$1"/target/release/deps/phases-* | grep -v '\.d$' | head -1)
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect='*Grid::month_totals*' \
        "$bin" --paths "$paths" >/dev/null 2>&1
    grep -E '^(summary|totals):' "$out" | head -1 | awk '{print $2}'
    rm -f "$out"
}
here=$(count "$(cd "$(dirname "$0")/.." && pwd)")
there=$(count "$other")
echo "instructions in Grid::month_totals, phases bench, $paths paths x 120 months:"
echo "  this checkout: $here"
echo "  $other: $there"
python3 -c "print(f'  ratio: {$here / $there:.2f}x')"
