#!/usr/bin/env bash
# Checks that every C++ source follows .clang-format (Google style, 120 columns),
# with Debian 12's clang-format 14 (scripts/setup.sh installs it). Exits non-zero and
# names the files otherwise; `scripts/check_format.sh --fix` reformats them in place.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check_format: clang-format is missing (scripts/setup.sh)" >&2; exit 1; }
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cc' '*.h')
if [[ "${1:-}" == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1); then
  grep -E '^[^ ].*: error:' <<<"$out" | cut -d: -f1 | sort -u | sed 's/^/not formatted: /' >&2
  echo "check_format: run scripts/check_format.sh --fix (clang-format $(clang-format --version | grep -o '[0-9]*\.[0-9.]*' | head -1))" >&2
  exit 1
fi
echo "format ok (${#files[@]} files)"
