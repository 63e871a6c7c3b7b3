#!/usr/bin/env bash
# The whole test suite, from a fresh checkout: installs what it needs, then runs every check.
# Usage: bash scripts/test.sh        (the README's test command; .ci/run calls exactly this)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Python tools and the package (release build of the Rust core)"
python3 -m pip install --quiet --upgrade pip
python3 -m pip install --quiet ".[test,lint]"

step "A browser for the report tests (Debian's chromium package, installed when missing)"
if ! command -v chromium >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
chromium --version 2>/dev/null

step "Rust: format, lints, the core without Python, unit tests"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo check --no-default-features
cargo test --no-default-features

step "Python: lint, format, type-check, stubs"
python3 -m ruff check python tests bench
python3 -m ruff format --check python tests bench
python3 -m mypy
python3 -m mypy.stubtest gridrisk._core

step "Python tests"
# The package lives under python/, so the installed build (not the sources) is what is tested.
set +e
python3 -m pytest
code=$?
set -e
if [ "$code" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure" >&2
    exit 1
fi
exit "$code"
