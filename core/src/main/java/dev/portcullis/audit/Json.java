package dev.portcullis.audit;

/**
 * The few JSON pieces the audit files need: a string escaper and an object writer that appends fields in order.
 *
 * <p>Escaping follows RFC 8259 and goes further so that a record always stays one line and one safe line on a
 * terminal: every C0 and C1 control character, DEL, U+2028/U+2029 (line breaks to some readers) and unpaired
 * surrogates are written as {@code \}{@code uXXXX}. The output is therefore plain ASCII plus well-formed non-ASCII
 * text, and never contains CR, LF or ESC.
 */
final class Json {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /** Appends {@code value} as a quoted JSON string, or {@code null}. */
  static void appendString(StringBuilder out, String value) {
    if (value == null) {
      out.append("null");
      return;
    }
    out.append('"');
    appendEscaped(out, value);
    out.append('"');
  }

  /** Appends the body of a JSON string (no quotes); also used for the SLF4J line, which follows the same rules. */
  static void appendEscaped(StringBuilder out, String value) {
    int n = value.length();
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
            appendUnicodeEscape(out, c);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
              out.append(c).append(value.charAt(++i));
            } else {
              appendUnicodeEscape(out, c);
            }
          } else if (Character.isLowSurrogate(c)) {
            appendUnicodeEscape(out, c);
          } else {
            out.append(c);
          }
        }
      }
    }
  }

  static String escaped(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8);
    appendEscaped(out, value);
    return out.toString();
  }

  private static void appendUnicodeEscape(StringBuilder out, char c) {
    out.append("\\u")
        .append(HEX[(c >> 12) & 0xf])
        .append(HEX[(c >> 8) & 0xf])
        .append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }

  /** Writes one JSON object, fields in the order given; absent (null) optional fields are left out. */
  static final class ObjectWriter {
    private final StringBuilder out;
    private boolean first = true;

    ObjectWriter(StringBuilder out) {
      this.out = out;
      out.append('{');
    }

    ObjectWriter string(String name, String value) {
      name(name);
      appendString(out, value);
      return this;
    }

    ObjectWriter optionalString(String name, String value) {
      return value == null ? this : string(name, value);
    }

    ObjectWriter number(String name, long value) {
      name(name);
      out.append(value);
      return this;
    }

    void end() {
      out.append('}');
    }

    private void name(String name) {
      if (!first) {
        out.append(',');
      }
      first = false;
      appendString(out, name);
      out.append(':');
    }
  }
}
