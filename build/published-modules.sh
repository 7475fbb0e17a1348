# Sourced by the build scripts: the reactor modules whose artifacts are published, as a Maven -pl list.
# "." is the parent POM (every module's parent, so consumers need it too). examples/ and benchmarks/ are not published
# (maven.deploy.skip). A new published module goes here, in bom/pom.xml and in CHANGELOG.md.
PUBLISHED_MODULES=".,bom,core,servlet-filter,servlet-autoconfig,redis-store,jdbc,aspnet-bridge,spring-adapter,javalin-adapter,dropwizard-adapter"
