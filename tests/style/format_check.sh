#!/usr/bin/env bash
# Fails if any tracked C++ file is not clang-format clean (.clang-format, Google based).
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.cc' '*.h' | grep -v '^tests/style/fixtures/')
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"
