#!/usr/bin/env bash
# Runs one libFuzzer target for a short, seeded, bounded campaign over its committed corpus.
# New inputs go to a temporary directory, never into the repository.
# usage: run_fuzzer.sh FUZZER CORPUS_DIR RUNS [MAX_LEN]
set -euo pipefail
fuzzer=$1 corpus=$2 runs=$3 max_len=${4:-4096}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$fuzzer" -seed=1 -runs="$runs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$scratch" "$corpus"
