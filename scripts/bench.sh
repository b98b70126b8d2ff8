#!/usr/bin/env bash
# Benchmarks, measured side by side in one run. Builds release binaries, then prints Markdown
# tables (paste them into docs/BENCHMARKS.md). Not part of the test command.
#   scripts/bench.sh [a2a|startup|orchestration|intake|all]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-peers.sh >/dev/null
cargo build --release --quiet -p sremesh-bench -p sremesh-agent -p sremesh-intake --example echo_agent --bins
what="${1:-all}"
echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%MZ)"
if [ "$what" = a2a ] || [ "$what" = all ]; then
  echo; echo "### A2A hop (SendMessage round trip)"; echo
  target/release/sremesh-bench a2a
fi
if [ "$what" = orchestration ] || [ "$what" = all ]; then
  echo; echo "### Orchestration overhead"; echo
  target/release/sremesh-bench orchestration
fi
if [ "$what" = intake ] || [ "$what" = all ]; then
  echo; echo "### Intake (signed Slack events, 500 req/s open-loop)"; echo
  target/release/sremesh-bench intake
fi
if [ "$what" = startup ] || [ "$what" = all ]; then
  echo; echo "### Agent start-up"; echo
  target/release/sremesh-bench startup
fi
