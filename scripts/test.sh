#!/usr/bin/env bash
# All of berth's tests (`npm test`, run by CI as root with CI=true and no stdin):
#   0. import direction check (scripts/check-imports.mjs)
#   1. setup + build (scripts/setup.sh), then format + lint (Biome: `npm run lint`)
#   2. unit tests: dist/{src,test/harness,bench}/**/*.test.js, scripts/*.test.mjs
#   3. integration tests: each dist/test/integration/**/*.test.js in its own namespaces
#      (test/harness/run-isolated.sh), BERTH_IT_JOBS at a time (default 2)
#   4. the summed summary; exit non-zero on any failure.
# Env: BERTH_IT_JOBS, BERTH_IT_FILE_TIMEOUT (s, default 600), BERTH_TEST_FILTER (regex on file
# paths, both phases), BERTH_SKIP_INTEGRATION=1.
set -uo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp -d /tmp/berth-test.XXXXXX)
failures=()
section() { printf '\n==== %s ====\n' "$*"; }
filter=${BERTH_TEST_FILTER:-.}

section "import direction"
node scripts/check-imports.mjs || failures+=("import direction (scripts/check-imports.mjs)")

section "setup and build"
bash scripts/setup.sh
case $? in
  0) ;;
  2) failures+=("build: tsc reported type errors") ;;
  *) echo "test.sh: setup failed, cannot test" >&2; exit 1 ;;
esac

section "format and lint"
# `npm run format` fixes formatting; lint findings are fixed by hand (biome.jsonc says why a rule is off).
npx --no-install biome check --max-diagnostics=50 || failures+=("format and lint (npm run lint)")

# Compiled test files whose .ts source still exists (dist/ may hold stale outputs).
compiled_tests() {
  find "dist/$1" -name '*.test.js' 2>/dev/null | sort | while read -r f; do
    local src=${f#dist/}
    [ -f "${src%.js}.ts" ] && echo "$f"
  done | grep -E -- "$filter" || true
}

tap_reporters() { echo --test-reporter=spec --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination="$1"; }

section "unit tests"
mapfile -t unit < <(compiled_tests src; compiled_tests test/harness; compiled_tests bench; compiled_tests web; ls scripts/*.test.mjs 2>/dev/null | grep -E -- "$filter")
if [ ${#unit[@]} -gt 0 ]; then
  # shellcheck disable=SC2046
  timeout -k 10 1200 node --test --test-concurrency=2 --test-timeout=120000 \
    $(tap_reporters "$out/unit.tap") "${unit[@]}" || failures+=("unit tests")
else
  echo "no unit test files"
fi

section "busybox fixture"
export BERTH_BUSYBOX_TAR="$out/busybox-rootfs.tar"
if [ -f scripts/busybox-rootfs.sh ]; then
  bash scripts/busybox-rootfs.sh "$BERTH_BUSYBOX_TAR" >"$out/fixture.log" 2>&1 \
    && echo "built $BERTH_BUSYBOX_TAR" \
    || { cat "$out/fixture.log"; failures+=("busybox fixture (scripts/busybox-rootfs.sh)"); }
else
  echo "scripts/busybox-rootfs.sh does not exist yet: tests that need busybox will fail to import it"
fi

section "integration tests"
bash scripts/setup-browser.sh # Chromium for test/integration/web (the test skips, saying why, without it)
mapfile -t integ < <(compiled_tests test/integration)
if [ "${BERTH_SKIP_INTEGRATION:-0}" = 1 ]; then
  echo "skipped (BERTH_SKIP_INTEGRATION=1)"
  integ=()
elif [ "$(id -u)" != 0 ]; then
  echo "integration tests need root: skipped"
  failures+=("integration tests not run (not root)")
  integ=()
fi

run_one() { # FILE INDEX: run one file isolated, then print its whole log at once
  local f=$1 n=$2 start rc
  start=$(date +%s)
  # shellcheck disable=SC2046
  timeout -k 10 "${BERTH_IT_FILE_TIMEOUT:-600}" test/harness/run-isolated.sh "$f" \
    $(tap_reporters "$out/it-$n.tap") >"$out/it-$n.log" 2>&1
  rc=$?
  echo "$rc" >"$out/it-$n.rc"
  {
    flock 9
    printf -- '---- %s (exit %s, %ss)\n' "$f" "$rc" "$(($(date +%s) - start))"
    cat "$out/it-$n.log"
  } 9>"$out/print.lock"
}

jobs_max=${BERTH_IT_JOBS:-2}
i=0
for f in "${integ[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  run_one "$f" "$i" &
  i=$((i + 1))
done
wait
for ((k = 0; k < i; k++)); do
  rc=$(cat "$out/it-$k.rc" 2>/dev/null || echo 99)
  [ "$rc" = 0 ] || failures+=("integration: ${integ[$k]} (exit $rc)")
  [ -f "$out/it-$k.tap" ] || failures+=("integration: ${integ[$k]} produced no report")
done

section "summary"
tests=0 pass=0 fail=0 skipped=0 cancelled=0 todo=0
for t in "$out"/*.tap; do
  [ -f "$t" ] || continue
  # The run's own totals are the last "# name N" lines at column 0.
  while read -r key val; do
    case $key in
      tests) tests=$((tests + val)) ;; pass) pass=$((pass + val)) ;; fail) fail=$((fail + val)) ;;
      skipped) skipped=$((skipped + val)) ;; cancelled) cancelled=$((cancelled + val)) ;; todo) todo=$((todo + val)) ;;
    esac
  done < <(grep -E '^# (tests|pass|fail|skipped|cancelled|todo) [0-9]+$' "$t" | sed 's/^# //')
done
echo "# tests $tests"
echo "# pass $pass"
echo "# fail $fail"
echo "# cancelled $cancelled"
echo "# skipped $skipped"
echo "# todo $todo"
if [ ${#failures[@]} -gt 0 ]; then
  echo "failed steps:"
  printf '  - %s\n' "${failures[@]}"
fi
rm -rf "$out"
failed=$((fail + cancelled))
# A failed step with no failed test in it (build, import check, crash) still counts.
[ "$failed" -eq 0 ] && failed=${#failures[@]}
echo "total: $pass passed, $failed failed, $skipped skipped"
[ ${#failures[@]} -eq 0 ] && [ "$fail" -eq 0 ] && [ "$cancelled" -eq 0 ]
