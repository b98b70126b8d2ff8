#!/usr/bin/env bash
# The one test command (README): sets up the local peers, then checks formatting and lints,
# builds every binary, runs every Rust test and every Python interoperability test.
# Works on a fresh machine with only the Rust toolchain, Python 3.11 + pip and Node + npm.
set -euo pipefail
cd "$(dirname "$0")/.."
# A from-scratch build with incremental caches takes ~8 GB of disk; without them ~5 GB, and a clean
# CI build gains nothing from them. A developer can still export CARGO_INCREMENTAL=1.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
step() { printf '\n==> %s\n' "$*"; }

step "local peers (Python venv, kubectl, npm packages)"
scripts/setup-peers.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, all features, -D warnings)"
cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings

step "cargo build (binaries and examples, used by the Python tests)"
cargo build --workspace --bins --examples --quiet

step "Rust tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi

step "Python interoperability tests (a2a-sdk, boto3, moto, kubectl, slack_sdk, PyNaCl)"
.peers/venv/bin/python -m pytest tests/python -q

step "all tests passed"
