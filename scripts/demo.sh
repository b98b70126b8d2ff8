#!/usr/bin/env bash
# The main job (README): build every binary (cargo prints its progress), then run `sremesh demo`:
# the sandbox and the whole mesh on localhost, the bundled scenario's alert posted through the
# intake as a signed Slack mention, the report printed once it lands in the thread.
# Extra arguments go to `sremesh demo` (e.g. --scenario tests/scenarios/dns-resolution-fraud-scorer.yaml).
# Needs only the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> building sremesh (first build: a few minutes)" >&2
cargo build --workspace --bins
exec target/debug/sremesh demo "$@"
