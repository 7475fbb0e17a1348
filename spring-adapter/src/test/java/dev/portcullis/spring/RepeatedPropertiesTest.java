package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How {@link RepeatedProperties} reads a {@code .properties} file: what Spring Boot's loader would silently override
 * within the file is found, with its lines; what Spring Boot applies as an override (a profile's document) is not.
 */
class RepeatedPropertiesTest {
  @Test
  void aPropertyTwiceInOneDocument_isFound_withItsLines() {
    assertThat(RepeatedProperties.repeatedIn("""
            portcullis.login.terms-version=2026-01
            portcullis.access.public-paths=/login,/terms
            app.title=Portal
            app.title=Portal again
            portcullis.access.public-paths=/**
            """))
        .containsExactly(Map.entry("portcullis.access.public-paths", List.of(2, 5)));
  }

  @Test
  void spellingsTheBinderReadsAsOneProperty_areOneProperty() {
    assertThat(RepeatedProperties.repeatedIn("""
            portcullis.access.public-paths=/login
            Portcullis.Access.publicPaths: /**
            portcullis.access.rules[0].pattern /admin/**
            portcullis.access.rules.0.pattern=/**
            """))
        .containsOnlyKeys("portcullis.access.public-paths", "portcullis.access.rules[0].pattern")
        .containsEntry("portcullis.access.public-paths", List.of(1, 2))
        .containsEntry("portcullis.access.rules[0].pattern", List.of(3, 4));
  }

  @Test
  void escapesAndContinuedLines_areReadAsSpringBootReadsThem() {
    assertThat(RepeatedProperties.repeatedIn("""
            portcullis.access.public-paths=/login,\\
              portcullis.access.public-paths=/terms
            portcullis\\u002eaccess.authenticated-paths=/**
              portcullis.access.authenticated-paths\\t=/reports/**
            # portcullis.access.public-paths=/** in a comment
            ! portcullis.access.public-paths=/** in another
            """))
        .containsExactly(Map.entry("portcullis.access.authenticated-paths", List.of(3, 4)));
  }

  @Test
  void aProfilesDocument_overridesWithoutBeingFound() {
    assertThat(RepeatedProperties.repeatedIn("""
            portcullis.session.idle-timeout=20m
            #---
            spring.config.activate.on-profile=prod
            portcullis.session.idle-timeout=10m
            !---
            spring.config.activate.on-profile=test
            portcullis.session.idle-timeout=1h
            """)).isEmpty();
  }

  @Test
  void aDocumentWithoutAnActivationCondition_overridesAnEarlierOneSilently_andIsFound() {
    assertThat(RepeatedProperties.repeatedIn("""
            portcullis.access.public-paths=/login,/terms
            #---
            spring.config.activate.on-profile=prod
            portcullis.access.public-paths=/login
            #---
            portcullis.access.public-paths=/**
            """))
        .containsExactly(Map.entry("portcullis.access.public-paths", List.of(1, 6)));
  }

  @Test
  void aSeparatorNextToACommentWithItsPrefix_separatesNothing_asInSpringBoot() {
    // Spring Boot reads "#---" after a "#" comment as a comment, and a comment right after a
    // separator as continuing the document before it: both files are one document.
    assertThat(RepeatedProperties.repeatedIn("""
            portcullis.access.public-paths=/login
            # profiles below
            #---
            spring.config.activate.on-profile=prod
            portcullis.access.public-paths=/**
            """))
        .containsOnlyKeys("portcullis.access.public-paths");
    assertThat(RepeatedProperties.repeatedIn("""
            portcullis.access.public-paths=/login
            #---
            # the production profile
            spring.config.activate.on-profile=prod
            portcullis.access.public-paths=/**
            """))
        .containsOnlyKeys("portcullis.access.public-paths");
    assertThat(RepeatedProperties.repeatedIn("""
            portcullis.access.public-paths=/login
             #---
            spring.config.activate.on-profile=prod
            portcullis.access.public-paths=/**
            """))
        .as("an indented separator is a comment")
        .containsOnlyKeys("portcullis.access.public-paths");
  }
}
