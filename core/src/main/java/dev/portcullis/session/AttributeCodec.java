package dev.portcullis.session;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compact binary form of session attributes, for stores that keep bytes.
 *
 * <p>Layout: a version byte ({@value #VERSION}), then a map. A map is a 4-byte count followed by that many name/value
 * pairs; a name is a string. A value is a tag byte and its body: string (4-byte length, UTF-8), integer (4 bytes),
 * long (8), double (8, IEEE 754 bits), true, false, list (4-byte count, values), map. Big-endian throughout.
 *
 * <p><b>Security.</b> Decoding never instantiates a class named by the input (no Java serialization); it accepts only
 * the types above, at most {@value #MAX_BYTES} bytes, nesting at most {@link AttributeValues#MAX_DEPTH} deep, strict
 * UTF-8, no duplicate names and no trailing bytes. Counts and lengths are checked against the bytes left before
 * anything is allocated, so a small input cannot ask for a large allocation. Any violation gives
 * {@link Decoded.Malformed}, never an exception.
 */
public final class AttributeCodec {
  /** The format version this codec writes and reads. */
  public static final int VERSION = 1;

  /** The largest encoded form accepted or produced. */
  public static final int MAX_BYTES = 1 << 20;

  private static final byte STRING = 1;
  private static final byte INTEGER = 2;
  private static final byte LONG = 3;
  private static final byte DOUBLE = 4;
  private static final byte TRUE = 5;
  private static final byte FALSE = 6;
  private static final byte LIST = 7;
  private static final byte MAP = 8;

  private AttributeCodec() {}

  /** The outcome of {@link #decode}. */
  public sealed interface Decoded {
    /** The attributes, immutable. */
    record Ok(Map<String, Object> attributes) implements Decoded {}

    /** The input is not a valid encoding; {@code reason} is for logs, never for clients. */
    record Malformed(String reason) implements Decoded {}
  }

  /**
   * Encodes {@code attributes}.
   *
   * @throws IllegalArgumentException when a value is not a session value or the result would exceed
   *     {@link #MAX_BYTES}
   */
  public static byte[] encode(Map<String, ?> attributes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(VERSION);
    writeMap(out, attributes, 0);
    if (out.size() > MAX_BYTES) {
      throw new IllegalArgumentException(
          "session attributes exceed " + MAX_BYTES + " bytes when encoded");
    }
    return out.toByteArray();
  }

  /** Decodes bytes written by {@link #encode}; anything else is {@link Decoded.Malformed}. */
  public static Decoded decode(byte[] encoded) {
    if (encoded == null || encoded.length == 0) {
      return new Decoded.Malformed("empty");
    }
    if (encoded.length > MAX_BYTES) {
      return new Decoded.Malformed("too large");
    }
    if (encoded[0] != VERSION) {
      return new Decoded.Malformed("unknown version " + (encoded[0] & 0xff));
    }
    ByteBuffer in = ByteBuffer.wrap(encoded, 1, encoded.length - 1);
    try {
      Map<String, Object> attributes = readMap(in, 0);
      if (in.hasRemaining()) {
        return new Decoded.Malformed("trailing bytes");
      }
      return new Decoded.Ok(attributes);
    } catch (MalformedException e) {
      return new Decoded.Malformed(e.getMessage());
    }
  }

  private static void writeMap(ByteArrayOutputStream out, Map<String, ?> map, int depth) {
    writeInt(out, map.size());
    for (Map.Entry<String, ?> entry : map.entrySet()) {
      writeString(out, entry.getKey());
      writeValue(out, entry.getKey(), entry.getValue(), depth);
    }
  }

  @SuppressWarnings("unchecked")
  private static void writeValue(ByteArrayOutputStream out, String name, Object value, int depth) {
    if (depth > AttributeValues.MAX_DEPTH) {
      throw new IllegalArgumentException("session attribute '" + name + "' is nested too deep");
    }
    if (value instanceof String s) {
      out.write(STRING);
      writeString(out, s);
    } else if (value instanceof Integer i) {
      out.write(INTEGER);
      writeInt(out, i);
    } else if (value instanceof Long l) {
      out.write(LONG);
      writeLong(out, l);
    } else if (value instanceof Double d) {
      out.write(DOUBLE);
      writeLong(out, Double.doubleToRawLongBits(d));
    } else if (value instanceof Boolean b) {
      out.write(b ? TRUE : FALSE);
    } else if (value instanceof List<?> list) {
      out.write(LIST);
      writeInt(out, list.size());
      for (Object element : list) {
        writeValue(out, name, element, depth + 1);
      }
    } else if (value instanceof Map<?, ?> map) {
      for (Object key : map.keySet()) {
        if (!(key instanceof String)) {
          throw new IllegalArgumentException(
              "session attribute '" + name + "' has a non-String map key");
        }
      }
      out.write(MAP);
      writeMap(out, (Map<String, ?>) map, depth + 1);
    } else {
      // Same check and message as the session model, so both reject the same values.
      AttributeValues.freeze(name, value);
    }
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    writeInt(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  private static void writeLong(ByteArrayOutputStream out, long v) {
    writeInt(out, (int) (v >>> 32));
    writeInt(out, (int) v);
  }

  private static Map<String, Object> readMap(ByteBuffer in, int depth) throws MalformedException {
    // Every pair takes at least 5 bytes (an empty name's length and a tag).
    int count = readCount(in, 5);
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = readString(in);
      Object value = readValue(in, depth);
      if (map.putIfAbsent(name, value) != null) {
        throw new MalformedException("duplicate name");
      }
    }
    return map.isEmpty() ? Map.of() : Collections.unmodifiableMap(map);
  }

  private static Object readValue(ByteBuffer in, int depth) throws MalformedException {
    if (depth > AttributeValues.MAX_DEPTH) {
      throw new MalformedException("nested too deep");
    }
    need(in, 1);
    byte tag = in.get();
    switch (tag) {
      case STRING:
        return readString(in);
      case INTEGER:
        need(in, 4);
        return in.getInt();
      case LONG:
        need(in, 8);
        return in.getLong();
      case DOUBLE:
        need(in, 8);
        return Double.longBitsToDouble(in.getLong());
      case TRUE:
        return Boolean.TRUE;
      case FALSE:
        return Boolean.FALSE;
      case LIST: {
        int count = readCount(in, 1);
        List<Object> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          list.add(readValue(in, depth + 1));
        }
        return Collections.unmodifiableList(list);
      }
      case MAP:
        return readMap(in, depth + 1);
      default:
        throw new MalformedException("unknown tag " + tag);
    }
  }

  private static String readString(ByteBuffer in) throws MalformedException {
    int length = readCount(in, 1);
    ByteBuffer slice = in.slice();
    slice.limit(length);
    in.position(in.position() + length);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(slice)
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedException("invalid UTF-8");
    }
  }

  /** A non-negative count whose items, at {@code minItemBytes} each, fit in what is left. */
  private static int readCount(ByteBuffer in, int minItemBytes) throws MalformedException {
    need(in, 4);
    int count = in.getInt();
    if (count < 0 || (long) count * minItemBytes > in.remaining()) {
      throw new MalformedException("count out of range");
    }
    return count;
  }

  private static void need(ByteBuffer in, int bytes) throws MalformedException {
    if (in.remaining() < bytes) {
      throw new MalformedException("truncated");
    }
  }

  /** Internal signal; turned into {@link Decoded.Malformed} at the boundary. */
  private static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message, null, false, false);
    }
  }
}
