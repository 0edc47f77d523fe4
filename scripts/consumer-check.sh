#!/usr/bin/env bash
# Proves that the README's dependency lines work for another package. Clones the committed project
# into a temporary folder (as `fmnist`, on a branch named `main`), then:
#   1. builds a fresh package (in the clone's sibling folder `consumer`) whose Package.swift holds
#      exactly the README's lines between `<!-- consumer-check: begin` and `<!-- consumer-check: end`
#      (the `.package(path: "../fmnist")` line), with the code of Examples/load-fashion, runs it
#      against a workspace the built fmnist imports the real Fashion-MNIST into, and checks its JSON;
#   2. for each commented `// .package(url: …)` line there, resolves a package that uses that line
#      instead (FMNIST_GIT_URL = file:// of the clone, COMMIT = the clone's HEAD; for a `from:`
#      line the clone is tagged with its version) and checks what SwiftPM resolved;
#   3. fails when a target of fmnist carries `unsafeFlags` (SwiftPM refuses those in a versioned
#      dependency).
#
# Needs: FMNIST_DATA_DIR (folder with fashion-mnist/*.gz; default ../shared/data) and the built
# tool (FMNIST_BIN; default: the release build). Tests what is committed (HEAD), not the working
# tree, with the README of the working tree (so an edited README is checked before it is committed).
# Usage: scripts/consumer-check.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
data="${FMNIST_DATA_DIR:-$repo/../shared/data}"
fmnist="${FMNIST_BIN:-$repo/.build/release/fmnist}"
# The four Fashion-MNIST .gz: FMNIST_FASHION_DIR, else the shared layout's fashion-mnist/ or a workspace root's fashion/.
fashion="${FMNIST_FASHION_DIR:-$data/fashion-mnist}"
[ -d "$fashion" ] || fashion="$data/fashion"
[ -d "$fashion" ] || { echo "consumer-check: no Fashion-MNIST folder under $data (set FMNIST_DATA_DIR or FMNIST_FASHION_DIR)" >&2; exit 2; }
[ -x "$fmnist" ] || { echo "consumer-check: no fmnist binary at $fmnist (build it, or set FMNIST_BIN)" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/fmnist-consumer.XXXXXX")"
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
log() { printf 'consumer-check: %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

# The README's lines: the ```swift block between the two markers.
snippet="$(awk '
  /<!-- consumer-check: begin/ { inside = 1; next }
  /<!-- consumer-check: end/ { inside = 0 }
  inside && /^```swift/ { fence = 1; next }
  inside && fence && /^```/ { fence = 0; next }
  inside && fence { print }
' "$repo/README.md")"
[ -n "$snippet" ] || fail "README.md has no \`\`\`swift block between <!-- consumer-check: begin --> and <!-- consumer-check: end -->"
path_line='.package(path: "../fmnist"),'
grep -qF "    $path_line" <<<"$snippet" || fail "the README's lines have no uncommented $path_line"

# 1. A clone of the committed project, its HEAD on a branch named main (the original repository is untouched).
git clone -q "$repo" "$tmp/fmnist"
git -C "$tmp/fmnist" checkout -q -B main
commit="$(git -C "$tmp/fmnist" rev-parse HEAD)"
if grep -n 'unsafeFlags' "$tmp/fmnist/Package.swift" >&2; then
  fail "Package.swift uses unsafeFlags: SwiftPM refuses such a package as a versioned dependency"
fi

# A package in $tmp/$1 whose Package.swift is the README's lines ($2: the lines, edited).
make_package() {
  mkdir -p "$tmp/$1/Sources/train"
  {
    echo '// swift-tools-version:6.0'
    echo 'import PackageDescription'
    echo 'let package = Package('
    echo "    name: \"$1\","
    echo '    platforms: [.macOS(.v13)],'
    printf '%s\n' "$2"
    echo '    swiftLanguageModes: [.v6]'
    echo ')'
  } > "$tmp/$1/Package.swift"
  cp "$tmp/fmnist/Examples/load-fashion/Sources/load-fashion/main.swift" "$tmp/$1/Sources/train/main.swift"
}

# 2. The README's lines as they are (the path line), built and run.
make_package consumer "$snippet"
log "building a package with the README's lines: $path_line"
start=$(date +%s)
swift build --package-path "$tmp/consumer" --scratch-path "$tmp/consumer/.build" > "$tmp/build.log" 2>&1 || {
    cat "$tmp/build.log" >&2; fail "a package with the README's dependency lines does not build"; }
log "built in $(( $(date +%s) - start )) s"

# A workspace holding the real Fashion-MNIST, then the consumer's JSON against it.
"$fmnist" import "$fashion" --as fashion --root "$tmp/workspace" --json --quiet > "$tmp/import.json"
"$tmp/consumer/.build/debug/train" "$tmp/workspace" > "$tmp/out.json"
python3 - "$tmp/out.json" "$tmp/import.json" "$repo/manifests/fashion-mnist.json" <<'PY'
import json, sys
out, imported, manifest = (json.load(open(p)) for p in sys.argv[1:4])
expected = {
    "dataset": "fashion",
    "version": imported["version"]["short_id"],
    "train": sum(manifest["histogram"]["train"]),
    "test": sum(manifest["histogram"]["test"]),
    "train_histogram": manifest["histogram"]["train"],
    "classes": manifest["classes"],
}
wrong = {k: (out.get(k), v) for k, v in expected.items() if out.get(k) != v}
if wrong or set(out) != set(expected):
    sys.exit(f"consumer-check: FAILED: printed {json.dumps(out)}; wrong fields (got, expected): {wrong}")
print(f"consumer-check: ok: {json.dumps(out)}")
PY

# 3. Each commented url line, uncommented in place of the path line, resolved.
variants=0
while IFS= read -r line; do
  dependency="$(sed -e 's|^[[:space:]]*// ||' <<<"$line")"
  dependency="${dependency//FMNIST_GIT_URL/file://$tmp/fmnist}"
  dependency="${dependency//COMMIT/$commit}"
  case "$dependency" in
    *'from: "'*)
      version="$(sed -e 's|.*from: "\([^"]*\)".*|\1|' <<<"$dependency")"
      git -C "$tmp/fmnist" -c user.name=consumer-check -c user.email=consumer-check@localhost tag -a "$version" -m "consumer check"
      want="\"version\" : \"$version\"" ;;
    *'branch: "'*) want="\"branch\" : \"$(sed -e 's|.*branch: "\([^"]*\)".*|\1|' <<<"$dependency")\"" ;;
    *'revision: "'*) want="\"revision\" : \"$commit\"" ;;
    *) fail "cannot tell what this README line depends on: $line" ;;
  esac
  variants=$((variants + 1))
  edited="$(awk -v path="    $path_line" -v old="$line" -v new="    $dependency" '
    $0 == path { print "    // " substr($0, 5); next }
    $0 == old { print new; next }
    { print }' <<<"$snippet")"
  make_package "variant$variants" "$edited"
  swift package --package-path "$tmp/variant$variants" --scratch-path "$tmp/variant$variants/.build" resolve > "$tmp/resolve.log" 2>&1 || {
      cat "$tmp/resolve.log" >&2; fail "the README's line does not resolve: $line"; }
  grep -qF "$want" "$tmp/variant$variants/Package.resolved" || {
      cat "$tmp/variant$variants/Package.resolved" >&2; fail "the README's line $line did not resolve to $want"; }
  log "ok: resolves: ${line#"${line%%[![:space:]]*}"}"
done < <(grep -E '^[[:space:]]*// \.package\(url: ' <<<"$snippet")
[ "$variants" -ge 3 ] || fail "expected the README's branch, revision and from: lines; found $variants url line(s)"
log "ok: the README's dependency lines (path: built and run; $variants url lines: resolved)"
