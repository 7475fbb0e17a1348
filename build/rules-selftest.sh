#!/usr/bin/env bash
# Shows that the build's mechanical rules bite: a scratch module under target/ (its parent is this project's parent
# POM, so it gets the same compiler, Error Prone and Spotless set-up) is built three times with
# `verify -Dspotless.check.skip=false`:
#
#   1. with build/rules-selftest/Clean.java only: the build must pass (the set-up itself works);
#   2. plus DeadExceptionFixture.java: the build must fail with Error Prone's [DeadException];
#   3. plus BadFormatFixture.java: the build must fail with Spotless's format violation.
#
# CI runs it before the main build (.ci/run). Extra Maven options come from MAVEN_ARGS (e.g. MAVEN_ARGS=-o).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
fixtures=$root/build/rules-selftest
scratch=$root/target/rules-selftest
fail() { echo "rules-selftest: $*" >&2; exit 1; }

version=$(sed -n '/<artifactId>portcullis-parent<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p;q}' pom.xml)
[ -n "$version" ] || fail "cannot read the project version from pom.xml"

# build <name> <fixture>...: makes target/rules-selftest/<name> with the given fixtures, builds it, and leaves the
# output in target/rules-selftest/<name>.log; returns Maven's exit status.
build() {
  local name=$1; shift
  local dir=$scratch/$name
  rm -rf "$dir"
  mkdir -p "$dir/src/main/java/dev/portcullis/selftest"
  for f in "$@"; do cp "$fixtures/$f" "$dir/src/main/java/dev/portcullis/selftest/"; done
  cat > "$dir/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>dev.portcullis</groupId>
    <artifactId>portcullis-parent</artifactId>
    <version>$version</version>
    <relativePath>../../../pom.xml</relativePath>
  </parent>
  <artifactId>portcullis-rules-selftest-$name</artifactId>
  <properties>
    <module.name>dev.portcullis.selftest</module.name>
    <maven.source.skip>true</maven.source.skip>
    <maven.javadoc.skip>true</maven.javadoc.skip>
    <maven.install.skip>true</maven.install.skip>
    <maven.deploy.skip>true</maven.deploy.skip>
  </properties>
</project>
POM
  ./mvnw -B -ntp -f "$dir/pom.xml" verify -Dspotless.check.skip=false >"$scratch/$name.log" 2>&1
}

mkdir -p "$scratch"

build clean Clean.java || { tail -n 40 "$scratch/clean.log" >&2; fail "the clean fixture does not build (see $scratch/clean.log)"; }
echo "rules-selftest: clean fixture builds"

if build errorprone Clean.java DeadExceptionFixture.java; then
  fail "an Error Prone ERROR (DeadException) did not fail the build (see $scratch/errorprone.log)"
fi
grep -q '\[DeadException\]' "$scratch/errorprone.log" \
  || { tail -n 40 "$scratch/errorprone.log" >&2; fail "the build failed, but not on Error Prone's DeadException"; }
echo "rules-selftest: an Error Prone ERROR fails the build"

if build format Clean.java BadFormatFixture.java; then
  fail "a badly formatted file did not fail the build (see $scratch/format.log)"
fi
grep -q 'The following files had format violations' "$scratch/format.log" \
  && grep -q 'BadFormatFixture.java' "$scratch/format.log" \
  || { tail -n 40 "$scratch/format.log" >&2; fail "the build failed, but not on the formatting of BadFormatFixture.java"; }
echo "rules-selftest: a formatting violation fails the build"
