package dev.portcullis.session;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain values a session may hold: String, Integer, Long, Boolean, Double, and Lists and Maps (String keys) of
 * them. Values are copied into immutable form when stored, so a caller that keeps a reference cannot change the
 * session behind its back.
 */
final class AttributeValues {
  /** Deeper nesting than this is refused, by the model and by the codec alike. */
  static final int MAX_DEPTH = 16;

  private AttributeValues() {}

  /**
   * An immutable copy of {@code value}.
   *
   * @throws IllegalArgumentException naming the attribute and the refused type
   */
  static Object freeze(String name, Object value) {
    return freeze(name, value, 0);
  }

  /** Whether {@code value} is of a type a session keeps: a plain value, or a List or Map (whose contents may not be). */
  static boolean keptType(Object value) {
    return scalar(value) || value instanceof List<?> || value instanceof Map<?, ?>;
  }

  private static boolean scalar(Object value) {
    return value instanceof String
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Boolean
        || value instanceof Double;
  }

  private static Object freeze(String name, Object value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "session attribute '" + name + "' is nested deeper than " + MAX_DEPTH);
    }
    if (scalar(value)) {
      return value;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(freeze(name, element, depth + 1));
      }
      return Collections.unmodifiableList(copy);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String key)) {
          throw new IllegalArgumentException(
              "session attribute '" + name + "' holds a Map with a key that is not a" + " String");
        }
        copy.put(key, freeze(name, entry.getValue(), depth + 1));
      }
      return Collections.unmodifiableMap(copy);
    }
    String type = value == null ? "null" : value.getClass().getName();
    throw new IllegalArgumentException(
        "session attribute '" + name + "' holds a " + type + "; sessions keep only"
            + " String, Integer, Long, Boolean, Double, and Lists and Maps of them");
  }
}
