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
policy=policies/standard.policy
work=$(mktemp -d "${TMPDIR:-/tmp}/amends-repl-e2e.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export HOME=$work AMENDS_HISTORY=$work/history
failures=0
fail() { printf 'repl e2e: FAILED: %s\n' "$*" >&2; failures=$((failures + 1)); }
pass() { printf 'repl e2e: ok: %s\n' "$*"; }

[ -x "$amends" ] || { echo "repl e2e: no executable at $amends (run swift build first)" >&2; exit 1; }
[ -f "$policy" ] || { echo "repl e2e: no $policy" >&2; exit 1; }

# 1. Not a terminal: a script on stdin, plain output, no escape codes.
out=$(printf '%s\n' ".load $policy" '{severity: critical}' | "$amends" repl 2>"$work/err")
status=$?
if [ $status -ne 0 ]; then fail "piped script exited with $status: $(cat "$work/err")"
elif ! grep -q '^  notify supervisor  \[' <<<"$out"; then fail "piped script did not print the actions: $out"
elif grep -q $'\e' <<<"$out$(cat "$work/err")"; then fail "piped output has escape codes"
else pass "a piped script prints the actions with no escape codes"; fi

printf '%s\n' ".load $policy" '{severity: hgh}' '{severity: low}' | "$amends" repl >/dev/null 2>&1
status=$?
if [ $status -eq 1 ]; then pass "a script with a failed entry exits 1"; else fail "a failed entry gave status $status, not 1"; fi

# 2. A real terminal.
if ! command -v tmux >/dev/null 2>&1; then
  echo "repl e2e: SKIPPED the terminal tests: tmux is not installed (e.g. apt-get install -y tmux)"
  exit $((failures > 0))
fi

# drive NAME STEPS COMMAND [driver options]: runs COMMAND in a pane, types
# STEPS; the screen is left in $work/NAME.screen. COMMAND ends by printing
# "repl exited with status N", which the steps expect.
drive() {
  local name=$1 steps=$2 command=$3
  shift 3
  "$drive" -T 10 "$@" "$steps" -- "$command" >"$work/$name.screen" 2>"$work/$name.drive"
}
ended="s=\$?; echo \"repl exited with status \$s\"; (exit \$s)"

# The command in the pane notes the terminal settings before and after.
run="stty -g >'$work/before'; '$amends' repl; s=\$?; stty -g >'$work/after'; echo \"repl exited with status \$s\"; (exit \$s)"
if drive main Tests/e2e/repl.steps "$run" -x 80 -y 24; then
  pass "terminal session: a shipped policy, two-line incident, Up recall as one entry, Ctrl-R, Home and End, Tab, Ctrl-C, resize, Ctrl-D exits 0"
else
  fail "terminal session: $(tail -n 2 "$work/main.drive")"
  sed 's/^/  | /' "$work/main.screen" >&2
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
if grep -q '^\.' "$work/history" 2>/dev/null; then
  fail "REPL commands are in the history file: $(grep '^\.' "$work/history")"
else
  pass "REPL commands are not kept in the history"
fi

# 3. Input typed while the REPL starts is kept (TCSADRAIN, not TCSAFLUSH).
if drive typeahead Tests/e2e/typeahead.steps "echo typing ahead; sleep 4; '$amends' repl $policy; $ended"; then
  pass "what is typed before the prompt appears is kept"
  # The banner comes first, then what loading the policy says (docs/repl.md).
  banner=$(grep -n 'repl: type .help for help' "$work/typeahead.screen" | head -n 1 | cut -d: -f1)
  loaded=$(grep -n '^loaded policies/standard.policy' "$work/typeahead.screen" | head -n 1 | cut -d: -f1)
  if [ -n "$banner" ] && [ -n "$loaded" ] && [ "$banner" -lt "$loaded" ]; then pass "the banner comes before \"loaded …\""
  else fail "banner (line ${banner:-none}) not before \"loaded\" (line ${loaded:-none})"; sed 's/^/  | /' "$work/typeahead.screen" >&2; fi
else
  fail "typed-ahead input: $(tail -n 2 "$work/typeahead.drive")"
  sed 's/^/  | /' "$work/typeahead.screen" >&2
fi

# 4. After a resize (SIGWINCH), a line longer than the window is redrawn in
# place: it is on the screen once, not once per redraw.
# (Without AMENDS_HISTORY: the history goes to ~/.amends_history.)
if drive resize Tests/e2e/resize.steps "env -u AMENDS_HISTORY '$amends' repl $policy; $ended" -x 80 -y 24; then
  drawn=$(grep -c '^>>> severity >= high and' "$work/resize.screen")
  if [ "$drawn" = 1 ]; then pass "after a resize a long line is redrawn in place"
  else fail "after a resize the long line is on the screen $drawn times"; sed 's/^/  | /' "$work/resize.screen" >&2; fi
else
  fail "resize: $(tail -n 2 "$work/resize.drive")"
  sed 's/^/  | /' "$work/resize.screen" >&2
fi

if grep -qxF '{severity: low}' "$work/.amends_history" 2>/dev/null; then
  pass "without AMENDS_HISTORY the history is kept in ~/.amends_history"
else
  fail "~/.amends_history does not hold the entry: $(cat "$work/.amends_history" 2>/dev/null)"
fi

# 5. Colour on a terminal, none with NO_COLOR, no escape codes at all with
# TERM=dumb: script(1) records the bytes the REPL writes to its terminal.
if command -v script >/dev/null 2>&1; then
  for mode in colour no-colour dumb; do
    case $mode in
      colour) env="env -u NO_COLOR AMENDS_HISTORY=" ;;
      no-colour) env="env NO_COLOR=1 AMENDS_HISTORY=" ;;
      dumb) env="env -u NO_COLOR TERM=dumb AMENDS_HISTORY=" ;;
    esac
    rec="$work/$mode.typescript"
    steps=Tests/e2e/colour.steps finish=$ended
    # Not a terminal it can edit on: a failed entry makes the status 1.
    [ $mode = dumb ] && steps=Tests/e2e/dumb.steps finish="echo \"repl exited with status \$?\""
    if ! drive "$mode" $steps "$env script -qec \"'$amends' repl $policy\" '$rec'; $finish"; then
      fail "$mode: $(tail -n 2 "$work/$mode.drive")"
      continue
    fi
    # What the REPL wrote (script's own first and last lines left out).
    written=$(sed '1d;$d' "$rec")
    case $mode in
      colour) if grep -q $'\e\\[[0-9;]*m' <<<"$written"; then pass "colour on a terminal"
              else fail "no colour on a terminal"; fi ;;
      no-colour) if grep -q $'\e\\[[0-9;]*m' <<<"$written"; then fail "colour although NO_COLOR is set"
                 else pass "no colour with NO_COLOR"; fi ;;
      dumb) if grep -q $'\e' <<<"$written"; then fail "escape codes with TERM=dumb"
            elif ! grep -q '^>>> ' <<<"$written"; then fail "no plain prompt with TERM=dumb"
            else pass "TERM=dumb: a plain prompt and no escape codes"; fi ;;
    esac
  done
  # AMENDS_HISTORY= (empty) kept those runs' entries out of every history file.
  if grep -qs 'hgh' "$work/history" "$work/.amends_history"; then fail "AMENDS_HISTORY= did not turn the history off"
  else pass "AMENDS_HISTORY= turns the history off"; fi
else
  echo "repl e2e: SKIPPED the colour tests: script(1) is not installed (util-linux)"
fi

# 6. SIGTERM or SIGHUP while editing (raw mode on): the terminal is restored.
for sig in TERM HUP; do
  rm -f "$work/before" "$work/after"
  run="stty -g >'$work/before'; exec 3<&0; '$amends' repl <&3 & p=\$!; sleep 1.5; kill -$sig \$p; wait \$p; stty -g >'$work/after'; cmp -s '$work/before' '$work/after'"
  if "$drive" -T 10 Tests/e2e/sigterm.steps -- "$run" >"$work/screen" 2>"$work/drive"; then
    pass "SIG$sig while editing restores the terminal settings"
  else
    fail "SIG$sig: $(tail -n 1 "$work/drive"); stty -g before: $(cat "$work/before" 2>/dev/null) after: $(cat "$work/after" 2>/dev/null)"
  fi
done

exit $((failures > 0))
