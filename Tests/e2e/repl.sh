#!/usr/bin/env bash
# End-to-end test of `amends repl` in a real terminal (a tmux pane driven by
# repl-drive.sh), and of `amends repl` reading a script from a pipe.
#
# Usage: Tests/e2e/repl.sh [AMENDS]    (AMENDS defaults to .build/debug/amends)
# Run from the repository root. Needs tmux for the terminal part; says so and
# skips that part when tmux is missing. Touches no real history: HOME and
# AMENDS_HISTORY point into a temporary folder.
set -uo pipefail
cd "$(dirname "$0")/../.."
amends=${1:-.build/debug/amends}
drive=Tests/e2e/repl-drive.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/amends-repl-e2e.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export HOME=$work AMENDS_HISTORY=$work/history
failures=0
fail() { printf 'repl e2e: FAILED: %s\n' "$*" >&2; failures=$((failures + 1)); }
pass() { printf 'repl e2e: ok: %s\n' "$*"; }

[ -x "$amends" ] || { echo "repl e2e: no executable at $amends (run swift build first)" >&2; exit 1; }

# 1. Not a terminal: a script on stdin, plain output, no escape codes.
out=$(printf '%s\n' '.load Tests/e2e/standard.policy' '{severity: critical}' | "$amends" repl 2>"$work/err")
status=$?
if [ $status -ne 0 ]; then fail "piped script exited with $status: $(cat "$work/err")"
elif ! grep -q 'notify supervisor' <<<"$out"; then fail "piped script did not print the actions: $out"
elif grep -q $'\e' <<<"$out$(cat "$work/err")"; then fail "piped output has escape codes"
else pass "a piped script prints the actions with no escape codes"; fi

printf '%s\n' '.load Tests/e2e/standard.policy' '{severity: hgh}' '{severity: low}' | "$amends" repl >/dev/null 2>&1
status=$?
if [ $status -eq 1 ]; then pass "a script with a failed entry exits 1"; else fail "a failed entry gave status $status, not 1"; fi

# 2. A real terminal.
if ! command -v tmux >/dev/null 2>&1; then
  echo "repl e2e: SKIPPED the terminal tests: tmux is not installed (e.g. apt-get install -y tmux)"
  exit $((failures > 0))
fi

# The command in the pane notes the terminal settings before and after.
run="stty -g >'$work/before'; '$amends' repl; s=\$?; stty -g >'$work/after'; (exit \$s)"
if screen=$("$drive" -x 80 -y 24 -T 10 Tests/e2e/repl.steps -- "$run" 2>"$work/drive"); then
  pass "terminal session: two-line incident, Up recall, Ctrl-R, Tab, Ctrl-C, resize, Ctrl-D exits 0"
else
  fail "terminal session: $(tail -n 2 "$work/drive")"
  printf '%s\n' "$screen" | sed 's/^/  | /' >&2
fi
if [ -s "$work/before" ] && cmp -s "$work/before" "$work/after"; then
  pass "the terminal settings (stty -g) are the same before and after"
else
  fail "stty -g before: $(cat "$work/before" 2>/dev/null) after: $(cat "$work/after" 2>/dev/null)"
fi
if grep -qF '{severity: critical, tier: enterprise,\ncaused_by: us, category: outage}' "$work/history" 2>/dev/null; then
  pass "the history file keeps the two-line incident as one entry"
else
  fail "the history file does not hold the two-line incident: $(cat "$work/history" 2>/dev/null)"
fi

# 3. SIGTERM while editing (raw mode on): the terminal is restored.
rm -f "$work/before" "$work/after"
run="stty -g >'$work/before'; exec 3<&0; '$amends' repl <&3 & p=\$!; sleep 1.5; kill -TERM \$p; wait \$p; stty -g >'$work/after'; cmp -s '$work/before' '$work/after'"
if "$drive" -T 10 Tests/e2e/sigterm.steps -- "$run" >"$work/screen" 2>"$work/drive"; then
  pass "SIGTERM while editing restores the terminal settings"
else
  fail "SIGTERM: $(tail -n 1 "$work/drive"); stty -g before: $(cat "$work/before" 2>/dev/null) after: $(cat "$work/after" 2>/dev/null)"
fi

exit $((failures > 0))
