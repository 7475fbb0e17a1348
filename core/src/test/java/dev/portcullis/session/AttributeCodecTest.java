package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttributeCodecTest {
  private static final Map<String, Object> SAMPLE = sample();

  private static Map<String, Object> sample() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "grüße ✓");
    m.put("i", Integer.MIN_VALUE);
    m.put("l", Long.MAX_VALUE);
    m.put("d", -0.5);
    m.put("t", true);
    m.put("f", false);
    m.put("empty", "");
    m.put("list", List.of(1, 2L, "three", List.of()));
    m.put("map", Map.of("nested", Map.of("deeper", List.of(true))));
    return m;
  }

  private static Map<String, Object> decodeOk(byte[] bytes) {
    AttributeCodec.Decoded decoded = AttributeCodec.decode(bytes);
    assertThat(decoded).isInstanceOf(AttributeCodec.Decoded.Ok.class);
    return ((AttributeCodec.Decoded.Ok) decoded).attributes();
  }

  @Test
  void encodedAttributes_decodeToEqualValuesOfTheSameTypes() {
    Map<String, Object> back = decodeOk(AttributeCodec.encode(SAMPLE));

    assertThat(back).isEqualTo(SAMPLE);
    assertThat(back.get("i")).isInstanceOf(Integer.class);
    assertThat(back.get("l")).isInstanceOf(Long.class);
    assertThat(back.keySet()).containsExactlyElementsOf(SAMPLE.keySet());
  }

  @Test
  void emptyAttributes_encodeInFiveBytes() {
    byte[] bytes = AttributeCodec.encode(Map.of());
    assertThat(bytes).hasSize(5);
    assertThat(decodeOk(bytes)).isEmpty();
  }

  @Test
  void everyTruncation_isMalformed() {
    byte[] bytes = AttributeCodec.encode(SAMPLE);
    for (int n = 0; n < bytes.length; n++) {
      assertThat(AttributeCodec.decode(Arrays.copyOf(bytes, n)))
          .as("first %d bytes", n)
          .isInstanceOf(AttributeCodec.Decoded.Malformed.class);
    }
  }

  @Test
  void trailingByte_isMalformed() {
    byte[] bytes = AttributeCodec.encode(SAMPLE);
    assertThat(AttributeCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(AttributeCodec.Decoded.Malformed.class);
  }

  @Test
  void everySingleByteChange_isMalformedOrDecodesToSomethingElse() {
    byte[] bytes = AttributeCodec.encode(SAMPLE);
    for (int i = 0; i < bytes.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] changed = bytes.clone();
        changed[i] ^= (byte) (1 << bit);
        AttributeCodec.Decoded decoded = AttributeCodec.decode(changed);
        if (decoded instanceof AttributeCodec.Decoded.Ok ok) {
          assertThat(ok.attributes()).as("byte %d bit %d", i, bit).isNotEqualTo(SAMPLE);
        }
      }
    }
  }

  @Test
  void unknownVersion_isMalformed() {
    byte[] bytes = AttributeCodec.encode(SAMPLE);
    bytes[0] = 2;
    assertThat(AttributeCodec.decode(bytes))
        .isEqualTo(new AttributeCodec.Decoded.Malformed("unknown version 2"));
  }

  @Test
  void hugeCount_isMalformedWithoutAllocating() {
    byte[] bytes =
        ByteBuffer.allocate(5).put((byte) 1).putInt(Integer.MAX_VALUE).array();
    assertThat(AttributeCodec.decode(bytes)).isInstanceOf(AttributeCodec.Decoded.Malformed.class);
    byte[] negative = ByteBuffer.allocate(5).put((byte) 1).putInt(-1).array();
    assertThat(AttributeCodec.decode(negative))
        .isInstanceOf(AttributeCodec.Decoded.Malformed.class);
  }

  @Test
  void unknownTag_invalidUtf8_andDuplicateNames_areMalformed() {
    // one pair: name "a", tag 99
    byte[] unknownTag = ByteBuffer.allocate(11)
        .put((byte) 1)
        .putInt(1)
        .putInt(1)
        .put((byte) 'a')
        .put((byte) 99)
        .array();
    assertThat(AttributeCodec.decode(unknownTag))
        .isEqualTo(new AttributeCodec.Decoded.Malformed("unknown tag 99"));

    byte[] badUtf8 = ByteBuffer.allocate(11)
        .put((byte) 1)
        .putInt(1)
        .putInt(1)
        .put((byte) 0xC3)
        .put((byte) 5)
        .array();
    assertThat(AttributeCodec.decode(badUtf8))
        .isEqualTo(new AttributeCodec.Decoded.Malformed("invalid UTF-8"));

    byte[] duplicate = ByteBuffer.allocate(17)
        .put((byte) 1)
        .putInt(2)
        .putInt(1)
        .put((byte) 'a')
        .put((byte) 5)
        .putInt(1)
        .put((byte) 'a')
        .put((byte) 6)
        .array();
    assertThat(AttributeCodec.decode(duplicate))
        .isEqualTo(new AttributeCodec.Decoded.Malformed("duplicate name"));
  }

  @Test
  void deepNesting_isRefusedBothWays() {
    Object deep = "leaf";
    for (int i = 0; i < 40; i++) {
      deep = List.of(deep);
    }
    Object tooDeep = deep;
    assertThatThrownBy(() -> AttributeCodec.encode(Map.of("deep", tooDeep)))
        .isInstanceOf(IllegalArgumentException.class);

    ByteBuffer buf = ByteBuffer.allocate(1 + 4 + 4 + 1 + 40 * 5 + 1);
    buf.put((byte) 1).putInt(1).putInt(1).put((byte) 'd');
    for (int i = 0; i < 40; i++) {
      buf.put((byte) 7).putInt(1);
    }
    buf.put((byte) 5);
    assertThat(AttributeCodec.decode(buf.array()))
        .isEqualTo(new AttributeCodec.Decoded.Malformed("nested too deep"));
  }

  @Test
  void unsupportedValue_isRefusedWhenEncoding() {
    assertThatThrownBy(() -> AttributeCodec.encode(Map.of("o", new Object())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'o'");
    assertThatThrownBy(() -> AttributeCodec.encode(Map.of("f", 1.5f)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void emptyOrOversizedInput_isMalformed() {
    assertThat(AttributeCodec.decode(new byte[0]))
        .isInstanceOf(AttributeCodec.Decoded.Malformed.class);
    assertThat(AttributeCodec.decode(new byte[AttributeCodec.MAX_BYTES + 1]))
        .isEqualTo(new AttributeCodec.Decoded.Malformed("too large"));
  }
}
