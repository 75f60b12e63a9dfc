#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy, warnings are errors) over every C++ source file of the build
# whose compile_commands.json is given. usage: tidy_check.sh BUILD_DIR
set -euo pipefail
build=$1
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.cc' 'bench/*.cc')
printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet 2> >(grep -v "warnings generated" >&2)
echo "clang-tidy: ${#files[@]} files clean"
