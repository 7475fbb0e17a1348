#!/usr/bin/env bash
# Builds the published modules twice from clean and compares the SHA-256 of every jar they produce (classes, core's
# test-jar, sources, javadoc). Fails, naming the jar and the entries that differ, if any byte differs: the jars must
# depend only on the sources and project.build.outputTimestamp, never on the time or place of the build.
#
#   build/reproducible-check.sh                 # MAVEN_ARGS=-o for an offline build (Maven 3.9 reads MAVEN_ARGS)
#   build/reproducible-check.sh --first-from-target
#
# With --first-from-target the jars an earlier build of this tree left in the modules' target/ folders are the first
# build (CI: the main build's, just made from the same checkout), and only the second is built here. The second build
# is always made from a copy of the tree in another folder, so a jar that records the build's path differs too.
#
# Tests are not run (the test suite runs in the main build), and compiled only in the modules that publish a
# test-jar. Compare builds made with the same JDK major version (it is recorded in each manifest as Build-Jdk-Spec).
set -euo pipefail
cd "$(dirname "$0")/.."
. build/published-modules.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-reproducible.XXXXXX")
trap 'rm -rf "$work"' EXIT

first_from_target=false
case "${1:-}" in
  --first-from-target) first_from_target=true ;;
  "") ;;
  *) echo "usage: build/reproducible-check.sh [--first-from-target]" >&2; exit 2 ;;
esac

collect() {  # $1: the tree, $2: folder that receives a copy of every published jar built in it
  mkdir -p "$2"
  local module
  for module in ${PUBLISHED_MODULES//,/ }; do
    cp "$1/$module"/target/*.jar "$2"/ 2>/dev/null || true   # pom-only modules have none
  done
}

build() {  # $1: the tree to build in
  # The enforcer and forbidden-apis checks leave no trace in the jars; the main build runs them. So do the tests of
  # the modules that publish no test-jar: portcullis.jars-only leaves them uncompiled (the test-jars are still built).
  (cd "$1" && ./mvnw -B -ntp -q -DskipTests -Denforcer.skip=true -Dforbiddenapis.skip=true \
    -Dportcullis.jars-only=true -pl "$PUBLISHED_MODULES" clean package)
}

start=$SECONDS
if $first_from_target; then
  collect . "$work/first"
  if [ -z "$(ls "$work/first")" ]; then
    echo "reproducible-check: --first-from-target, but no published module has a jar in target/; build first" >&2
    exit 1
  fi
else
  build .
  collect . "$work/first"
fi
# The second build: the same sources (tracked or not; no build output, no .git) in another folder.
mkdir -p "$work/tree"
tar -c --exclude=./.git --exclude='*/target' --exclude=./target -f - . | tar -x -C "$work/tree" -f -
build "$work/tree"
collect "$work/tree" "$work/second"

(cd "$work/first" && sha256sum -- *.jar) > "$work/first.sha256"
count=$(wc -l < "$work/first.sha256")
if [ "$count" -eq 0 ]; then
  echo "reproducible-check: no jars were built" >&2
  exit 1
fi
if [ "$(ls "$work/second" | wc -l)" -ne "$count" ]; then
  echo "reproducible-check: the two builds made different sets of jars" >&2
  diff <(ls "$work/first") <(ls "$work/second") >&2 || true
  exit 1
fi
if ! (cd "$work/second" && sha256sum --quiet -c "$work/first.sha256"); then
  for jar in "$work"/first/*.jar; do
    name=$(basename "$jar")
    if ! cmp -s "$jar" "$work/second/$name"; then
      echo "reproducible-check: $name differs between two builds; entries (date, CRC) that differ:" >&2
      diff <(unzip -v "$jar" | tail -n +2) <(unzip -v "$work/second/$name" | tail -n +2) | head -40 >&2 || true
    fi
  done
  exit 1
fi
if $first_from_target; then
  what="the tree's last build and a clean build in another folder"
else
  what="two clean builds, the second in another folder"
fi
echo "reproducible-check: $count published jars byte-identical across $what ($((SECONDS - start)) s)"
sed 's/^/  /' "$work/first.sha256"
