#!/usr/bin/env bash
# `mandate fmt`: formatted text on stdout, --check's exit codes and message, -w rewriting in
# place (and only what changed), directories, stdin, a parse error's rendered diagnostic with
# exit 2, an unreadable file, and --check with -w as a usage error.
set -euo pipefail
mandate=$1
root=$2
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "fmt: $*"; exit 1; }

golden=tests/data/format/scope
cp "$golden.in.cedar" "$work/messy.cedar"
cp "$golden.out.cedar" "$work/tidy.cedar"

# Default: the formatted text on stdout, the file untouched.
out=$("$mandate" fmt "$work/messy.cedar") || fail "fmt messy.cedar failed: $out"
[[ "$out"$'\n' == "$(cat "$golden.out.cedar")"$'\n' ]] || fail "unexpected output: $out"
cmp -s "$work/messy.cedar" "$golden.in.cedar" || fail "fmt without -w changed the file"

# stdin.
out=$("$mandate" fmt - <"$work/messy.cedar") || fail "fmt - failed"
[[ "$out"$'\n' == "$(cat "$golden.out.cedar")"$'\n' ]] || fail "unexpected stdin output: $out"
out=$(printf 'permit(principal,action,resource);' | "$mandate" fmt -)
[[ $out == $'permit (\n  principal,\n  action,\n  resource\n);' ]] || fail "stdin: $out"

# --check: silent and 0 when formatted; `would reformat PATH` and 1 otherwise.
out=$("$mandate" fmt --check "$work/tidy.cedar" 2>&1) || fail "--check on a formatted file failed: $out"
[[ -z $out ]] || fail "--check printed something for a formatted file: $out"
set +e
out=$("$mandate" fmt --check "$work/tidy.cedar" "$work/messy.cedar" 2>&1)
status=$?
set -e
[[ $status -eq 1 ]] || fail "--check on a messy file should exit 1, got $status"
[[ $out == "would reformat $work/messy.cedar" ]] || fail "--check message: $out"
cmp -s "$work/messy.cedar" "$golden.in.cedar" || fail "--check changed the file"

# -w: rewrites what changed, reports it, leaves formatted files alone (same inode, same mtime).
touch -d '2020-01-01' "$work/tidy.cedar"
chmod 640 "$work/messy.cedar"
out=$("$mandate" fmt -w "$work/messy.cedar" "$work/tidy.cedar" 2>&1) || fail "-w failed: $out"
[[ $out == "formatted $work/messy.cedar" ]] || fail "-w message: $out"
cmp -s "$work/messy.cedar" "$golden.out.cedar" || fail "-w did not write the formatted text"
[[ $(stat -c %a "$work/messy.cedar") == 640 ]] || fail "-w lost the file's permissions"
[[ $(stat -c %Y "$work/tidy.cedar") == $(date -d '2020-01-01' +%s) ]] || fail "-w touched a formatted file"
[[ -z $(find "$work" -name '.mandate-fmt-*') ]] || fail "-w left a temporary file"
"$mandate" fmt --check "$work/messy.cedar" || fail "the rewritten file is not formatted"

# A directory: every policy file under it, sorted; other files ignored.
mkdir -p "$work/dir/sub"
cp tests/data/format/levels.in.mandate "$work/dir/b.mandate"
cp tests/data/format/temporal.in.mandate "$work/dir/sub/a.dw"
echo 'not policy text' >"$work/dir/notes.txt"
set +e
out=$("$mandate" fmt --check "$work/dir" 2>&1)
status=$?
set -e
[[ $status -eq 1 ]] || fail "--check DIR should exit 1, got $status: $out"
[[ $out == "would reformat $work/dir/b.mandate"$'\n'"would reformat $work/dir/sub/a.dw" ]] || fail "--check DIR: $out"
"$mandate" fmt -w "$work/dir" >/dev/null 2>&1 || fail "-w DIR failed"
"$mandate" fmt --check "$work/dir" || fail "-w DIR left files unformatted"
cmp -s "$work/dir/sub/a.dw" tests/data/format/temporal.out.mandate || fail "-w DIR wrote the wrong text"

# Text that does not parse: the compiler's rendered diagnostic on stderr, exit 2, file untouched.
printf 'permit (principal, action, resource)\nwhen { context.a == };\n' >"$work/broken.cedar"
cp "$work/broken.cedar" "$work/broken.orig"
for mode in "" --check -w; do
  set +e
  out=$("$mandate" fmt $mode "$work/broken.cedar" 2>&1 >/dev/null)
  status=$?
  set -e
  [[ $status -eq 2 ]] || fail "a parse error ($mode) should exit 2, got $status"
  [[ $out == *"$work/broken.cedar:2:"*": error[parse]: "* ]] || fail "no rendered diagnostic ($mode): $out"
  [[ $out == *"2 | when { context.a == };"* ]] || fail "no source line ($mode): $out"
  grep -q '\^' <<<"$out" || fail "no caret ($mode): $out"
  cmp -s "$work/broken.cedar" "$work/broken.orig" || fail "a broken file was changed ($mode)"
done

# An unreadable file: exit 2 and `mandate: error: cannot read ...`; the other files still run.
set +e
out=$("$mandate" fmt --check "$work/missing.cedar" "$work/tidy.cedar" 2>&1)
status=$?
set -e
[[ $status -eq 2 ]] || fail "a missing file should exit 2, got $status"
[[ $out == "mandate: error: cannot read '$work/missing.cedar': No such file or directory" ]] || fail "missing file: $out"

# --check and -w together are a usage error.
set +e
"$mandate" fmt --check -w "$work/tidy.cedar" >/dev/null 2>&1
status=$?
set -e
[[ $status -eq 2 ]] || fail "--check -w should be a usage error (2), got $status"

# --help documents the messages and exit codes.
help=$("$mandate" fmt --help)
[[ $help == *"would reformat PATH"* && $help == *"--write"* && $help == *"Exit:"* ]] || fail "--help: $help"

echo "fmt: ok"
