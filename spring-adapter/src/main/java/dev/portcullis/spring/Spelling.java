package dev.portcullis.spring;

import dev.portcullis.internal.NearestName;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The starter's property names, and the one nearest to a name that binds to none, for the start-up failure. */
final class Spelling {
  private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

  /**
   * Every {@code portcullis.*} property, by its kebab-case name; an entry of a list of groups at index 0 ({@code
   * portcullis.access.rules[0].pattern}).
   */
  static final List<String> NAMES = List.copyOf(names("portcullis", PortcullisProperties.class));

  private Spelling() {}

  /**
   * The property nearest to {@code written} (a name in Spring Boot's form, such as {@code
   * portcullis.acess.rules[2].pattern} or, from an environment variable, {@code portcullis.session.idle.timout}), at
   * the index {@code written} gives, if it is near enough to be the one meant: a few letters apart, dashes and dots
   * aside.
   */
  static Optional<String> nearest(String written) {
    Matcher index = INDEX.matcher(written);
    String at = index.find() ? index.group(1) : "0";
    return NearestName.among(INDEX.matcher(written).replaceAll("[0]"), NAMES, name -> name)
        .map(best -> best.replace("[0]", "[" + at + "]"));
  }

  /** The environment variable Spring Boot binds to {@code name}: {@code PORTCULLIS_ACCESS_RULES_0_PATTERN}. */
  static String variable(String name) {
    return INDEX
        .matcher(name)
        .replaceAll("_$1")
        .toUpperCase(Locale.ROOT)
        .replace('.', '_')
        .replace('-', '_');
  }

  private static List<String> names(String prefix, Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Field field : type.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      String name = prefix + "."
          + field.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
      Class<?> fieldType = field.getType();
      if (isGroup(fieldType)) {
        names.addAll(names(name, fieldType));
      } else if (fieldType == List.class
          && field.getGenericType() instanceof ParameterizedType list
          && list.getActualTypeArguments()[0] instanceof Class<?> element
          && isGroup(element)) {
        names.addAll(names(name + "[0]", element));
      } else {
        names.add(name);
      }
    }
    return names;
  }

  private static boolean isGroup(Class<?> type) {
    return type.getEnclosingClass() == PortcullisProperties.class && !type.isEnum();
  }
}
