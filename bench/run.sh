#!/usr/bin/env bash
# Measures sections of bench/RESULTS.md and rewrites them with the figures,
# the machine, the Go version, GOMAXPROCS, the load average and the exact
# commands (see cmd/benchrun/main.go for the section markers).
#
#   bench/run.sh -list          the sections
#   bench/run.sh -dry-run lock  what a run would execute
#   bench/run.sh lock actor     measure and rewrite those sections
set -euo pipefail
cd "$(dirname "$0")"
exec go run ./cmd/benchrun "$@"
