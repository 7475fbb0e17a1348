package dev.portcullis.spring;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.Environment;

/**
 * The starter's duration properties whose value is a bare number. Spring Boot reads {@code 31536000} as that many
 * milliseconds, so {@code portcullis.transport.hsts-max-age=31536000}, meant as the header's seconds, would give
 * browsers an HSTS policy of under nine hours, and {@code portcullis.session.anonymous-session-window=60} a rate
 * window of 60 ms. A duration needs its unit ({@code 365d}, {@code 20m}, {@code 500ms}) or ISO-8601 ({@code PT20M}),
 * as in the WAR's settings and the Dropwizard block, which refuse a bare number too.
 */
final class DurationsWithoutUnit {
  private static final Pattern BARE_NUMBER = Pattern.compile("[+-]?\\d+(\\.\\d+)?");

  /** Every {@code portcullis.*} property of type {@link Duration}, by its kebab-case name. */
  static final List<String> NAMES = List.copyOf(names("portcullis", PortcullisProperties.class));

  static final String ACTION =
      "Give each duration its unit: 500ms, 30s, 20m, 8h, 90d, or ISO-8601 such as PT20M (the HSTS max-age of a year"
          + " is 365d). A bare number would be read as milliseconds.";

  private DurationsWithoutUnit() {}

  /**
   * Refuses the configuration when a duration property is a bare number, naming each such property and where it was
   * set, never its value.
   */
  static void refuseIn(Environment environment) {
    List<String> found = find(environment);
    if (!found.isEmpty()) {
      throw new PortcullisConfigurationException(
          "a duration without a unit: " + String.join("; ", found), ACTION);
    }
  }

  /** The duration properties whose value is a bare number, each with where it was set. */
  static List<String> find(Environment environment) {
    Iterable<ConfigurationPropertySource> sources = ConfigurationPropertySources.get(environment);
    List<String> found = new ArrayList<>();
    for (String name : NAMES) {
      ConfigurationPropertyName key = ConfigurationPropertyName.of(name);
      for (ConfigurationPropertySource source : sources) {
        ConfigurationProperty property = source.getConfigurationProperty(key);
        if (property != null) {
          // The first source that has it is the one the binder uses; a YAML number arrives as a
          // Number.
          Object value = property.getValue();
          if (value != null && withoutUnit(String.valueOf(value).strip())) {
            found.add(PortcullisFailureAnalyzer.nameAndOrigin(property));
          }
          break;
        }
      }
    }
    return found;
  }

  /** A number other than zero, which means the same in every unit (an HSTS max-age of 0 switches HSTS off). */
  private static boolean withoutUnit(String value) {
    return BARE_NUMBER.matcher(value).matches() && new BigDecimal(value).signum() != 0;
  }

  private static List<String> names(String prefix, Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Field field : type.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      String name = prefix + "." + kebab(field.getName());
      Class<?> fieldType = field.getType();
      if (fieldType == Duration.class) {
        names.add(name);
      } else if (fieldType.getEnclosingClass() == PortcullisProperties.class
          && !fieldType.isEnum()) {
        names.addAll(names(name, fieldType));
      }
    }
    return names;
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
