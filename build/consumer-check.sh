#!/usr/bin/env bash
# Publishes the Portcullis artifacts to a file repository and builds consumer projects against them, as an
# application outside this build would:
#
#   1. deploys the published modules (build/published-modules.sh) to target/staging-repo, with the install phase
#      skipped so that nothing reaches the shared local repository (~/.m2), and checks that the staging repository
#      holds exactly the artifacts that bom/pom.xml lists (plus the parent POM and the BOM);
#   2. builds and tests consumers/servlet-app (its own pom, not a reactor module: imports portcullis-bom, uses
#      portcullis-servlet on embedded Jetty 12) and consumers/spring-boot-app (the starter on Spring Boot 4.1) with
#      consumers/settings.xml and a fresh local repository
#      (target/consumer-repo): Portcullis only from the staging repository, third-party artifacts from
#      CONSUMER_THIRD_PARTY_URL (default: the shared local repository read as a file repository, so no network);
#   3. checks that every dev.portcullis artifact the consumer resolved came from the staging repository, byte for
#      byte.
#
#   build/consumer-check.sh
#   CONSUMER_THIRD_PARTY_URL=https://repo.maven.apache.org/maven2 build/consumer-check.sh
#
# Tests of the reactor are not run here (-DskipTests); run it after the main build, whose outputs it reuses.
set -euo pipefail
cd "$(dirname "$0")/.."
. build/published-modules.sh
root=$PWD
staging=$root/target/staging-repo
consumer_repo=$root/target/consumer-repo
third_party=${CONSUMER_THIRD_PARTY_URL:-file://${HOME}/.m2/repository}
# A local repository keeps no checksum files for some artifacts; they were checked when first downloaded.
case $third_party in file:*) checksums=ignore ;; *) checksums=fail ;; esac
version=$(sed -n '/<artifactId>portcullis-parent<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p;q}' pom.xml)
bom_version=$(sed -n '/<artifactId>portcullis-bom<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p;q}' bom/pom.xml)
fail() { echo "consumer-check: $*" >&2; exit 1; }
# servlet-app: portcullis-servlet on embedded Jetty; spring-boot-app: the README's Spring Boot quick start, started
# in a child JVM with the key ring in PORTCULLIS_KEY_RING.
CONSUMERS=(servlet-app spring-boot-app)

[ -n "$version" ] || fail "cannot read the project version from pom.xml"
[ "$version" = "$bom_version" ] || fail "bom/pom.xml has version $bom_version, the parent $version: keep them equal"

start=$SECONDS
rm -rf "$staging" "$consumer_repo"

# 1. Deploy to the staging repository only. The deploy plugin refuses offline mode, so MAVEN_ARGS (which Maven 3.9
#    adds to every command line, e.g. -o) is left out here; everything it needs is already in the local repository.
MAVEN_ARGS= ./mvnw -B -ntp -q -DskipTests -Dmaven.install.skip=true -pl "$PUBLISHED_MODULES" deploy \
  -DaltDeploymentRepository="staging::file://$staging"
deployed=$SECONDS

staged=$(ls "$staging/dev/portcullis" | sort)
listed=$( (echo portcullis-parent; echo portcullis-bom;
  sed -n 's:.*<artifactId>\(portcullis-[a-z0-9-]*\)</artifactId>.*:\1:p' bom/pom.xml) | sort -u)
if [ "$staged" != "$listed" ]; then
  echo "consumer-check: the staging repository and bom/pom.xml disagree (< staged, > listed in the BOM):" >&2
  diff <(echo "$staged") <(echo "$listed") >&2 || true
  exit 1
fi

# 2. The consumers, against the staging repository and third-party artifacts only.
for consumer in "${CONSUMERS[@]}"; do
  ./mvnw -B -ntp -f "consumers/$consumer/pom.xml" -s consumers/settings.xml \
    -Dmaven.repo.local="$consumer_repo" \
    -Daether.offline.protocols=file \
    -Dportcullis.version="$version" \
    -Dportcullis.staging.url="file://$staging" \
    -Dportcullis.thirdparty.url="$third_party" \
    -Dportcullis.thirdparty.checksums="$checksums" \
    clean verify
done

# 3. Provenance: each resolved Portcullis file (the timestamped snapshot files, or the release files) is recorded as
#    coming from the staging repository and is byte-identical to the deployed file of the same name.
resolved=$(find "$consumer_repo/dev/portcullis" -type f \( -name '*.jar' -o -name '*.pom' \) ! -name '*-SNAPSHOT.*' \
  | sort)
# A pattern match, not `echo | grep -q`: bash's echo writes a line at a time, so under pipefail a grep that exits on an
# early line could leave echo with SIGPIPE and fail the check for an artifact that was resolved.
for needed in portcullis-parent portcullis-bom portcullis-core portcullis-servlet portcullis-spring-boot-starter; do
  [[ $resolved == *"/$needed/"* ]] || fail "the consumer did not resolve $needed"
done
for file in $resolved; do
  dir=$(dirname "$file")
  name=$(basename "$file")
  grep -qF "$name>portcullis-staging=" "$dir/_remote.repositories" 2>/dev/null \
    || fail "$file was not resolved from the staging repository"
  cmp -s "$file" "$staging/${dir#"$consumer_repo/"}/$name" || fail "$file differs from the deployed file"
done
echo "consumer-check: deployed $(echo "$staged" | wc -w) artifacts in $((deployed - start)) s;" \
  "consumers ${CONSUMERS[*]} resolved $(echo "$resolved" | wc -w) Portcullis files from the staging repository only" \
  "and passed ($((SECONDS - start)) s in all)"
