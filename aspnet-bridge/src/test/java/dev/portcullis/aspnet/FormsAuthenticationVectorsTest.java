package dev.portcullis.aspnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.aspnet.TicketResult.NotValid.Reason;
import dev.portcullis.testing.MutableClock;
import dev.portcullis.testing.TestVectors;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Real .NET Framework cookies from {@code aspnet/formsauth-vectors.json} in the shared vectors folder. */
class FormsAuthenticationVectorsTest {
  private static final String FILE = "formsauth-vectors.json";

  @Test
  void vectorFile_holdsAcceptedAndRejectedCookies() throws IOException {
    List<JsonNode> records = records();
    long accepted =
        records.stream().filter(r -> r.path("expected").path("ok").asBoolean()).count();
    long rejected = records.size() - accepted;
    // Pinned so that a shrinking or unreadable file cannot pass silently.
    assertThat(accepted).isEqualTo(15);
    assertThat(rejected).isEqualTo(3);
  }

  @TestFactory
  List<DynamicTest> everyGoodRecord_decodesToExactlyTheExpectedTicket() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode record : records()) {
      if (record.path("expected").path("ok").asBoolean()) {
        tests.add(dynamicTest(record.path("id").asText(), () -> opensToExpectedTicket(record)));
      }
    }
    assertThat(tests).isNotEmpty();
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyBadRecord_isRejected() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode record : records()) {
      if (!record.path("expected").path("ok").asBoolean()) {
        tests.add(dynamicTest(record.path("id").asText(), () -> isRejected(record)));
      }
    }
    assertThat(tests).isNotEmpty();
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyGoodRecordsKey_opensWhatJavaSeals() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode record : records()) {
      if (record.path("expected").path("ok").asBoolean()) {
        tests.add(dynamicTest(record.path("id").asText(), () -> {
          JsonNode expected = record.path("expected");
          MutableClock clock = clockBefore(expected);
          FormsAuthentication forms = forms(record, clock);
          FormsAuthenticationTicket ticket = expectedTicket(expected);
          TicketResult reopened = forms.open(forms.seal(ticket));
          assertThat(reopened).isInstanceOf(TicketResult.Valid.class);
          assertThat(((TicketResult.Valid) reopened).ticket()).isEqualTo(ticket);
        }));
      }
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyGoodRecordsTicket_isWrittenByteForByteLikeDotNet() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode record : records()) {
      JsonNode expected = record.path("expected");
      if (expected.path("ok").asBoolean()) {
        tests.add(dynamicTest(record.path("id").asText(), () -> {
          byte[] dotnet =
              HexFormat.of().parseHex(expected.path("serializedTicketHex").asText());
          TicketFormat format = format(expected);
          byte[] java = format.write(expectedTicket(expected), new SecureRandom());
          if (format == TicketFormat.LEGACY_NATIVE) {
            // The first 8 bytes are random.
            assertThat(Arrays.copyOfRange(java, 8, java.length))
                .isEqualTo(Arrays.copyOfRange(dotnet, 8, dotnet.length));
          } else {
            assertThat(java).isEqualTo(dotnet);
          }
        }));
      }
    }
    return tests;
  }

  private static void opensToExpectedTicket(JsonNode record) {
    JsonNode expected = record.path("expected");
    MutableClock clock = clockBefore(expected);
    FormsAuthentication forms = forms(record, clock);
    String cookie = record.path("cookieHex").asText();

    TicketResult result = forms.open(cookie);

    assertThat(result).as("result").isInstanceOf(TicketResult.Valid.class);
    FormsAuthenticationTicket ticket = ((TicketResult.Valid) result).ticket();
    assertThat(ticket.name()).isEqualTo(expected.path("name").asText());
    assertThat(ticket.userData()).isEqualTo(expected.path("userData").asText());
    assertThat(ticket.cookiePath()).isEqualTo(expected.path("cookiePath").asText());
    assertThat(ticket.persistent()).isEqualTo(expected.path("isPersistent").asBoolean());
    assertThat(ticket.version()).isEqualTo(expected.path("version").asInt());
    assertThat(ticket.issueDate())
        .isEqualTo(Instant.parse(expected.path("issueDateUtc").asText()));
    assertThat(ticket.expiration())
        .isEqualTo(Instant.parse(expected.path("expirationUtc").asText()));
    if (expected.has("issueDateUtcTicks")) {
      assertThat(DotNetTicks.fromInstant(ticket.issueDate()))
          .isEqualTo(expected.path("issueDateUtcTicks").asLong());
      assertThat(DotNetTicks.fromInstant(ticket.expiration()))
          .isEqualTo(expected.path("expirationUtcTicks").asLong());
    }

    // The same cookie once its time has come is expired, not valid.
    clock.set(ticket.expiration());
    assertThat(forms.open(cookie)).isInstanceOf(TicketResult.Expired.class);
  }

  private static void isRejected(JsonNode record) {
    MutableClock clock = new MutableClock(Instant.parse("2000-01-01T00:00:00Z"));
    TicketResult result = forms(record, clock).open(record.path("cookieHex").asText());

    assertThat(result).isInstanceOf(TicketResult.NotValid.class);
    assertThat(((TicketResult.NotValid) result).reason())
        .isIn(Reason.WRONG_LENGTH, Reason.MAC_MISMATCH, Reason.INNER_MAC_MISMATCH);
  }

  private static FormsAuthentication forms(JsonNode record, MutableClock clock) {
    JsonNode mk = record.path("machineKey");
    MachineKey key = MachineKey.builder()
        .validationKey(mk.path("validationKey").asText())
        .decryptionKey(mk.path("decryptionKey").asText())
        .validation(MachineKey.Validation.fromConfigValue(mk.path("validation").asText()))
        .decryption(MachineKey.Decryption.fromConfigValue(mk.path("decryption").asText()))
        .compatibilityMode(mode(mk.path("compatibilityMode").asText()))
        .build();
    return FormsAuthentication.builder(key)
        .clock(clock)
        .random(new SecureRandom())
        .legacyTicketCompatibility(format(record.path("expected")) == TicketFormat.LEGACY_NATIVE)
        .build();
  }

  /** The records describe the mode in words, e.g. "Framework20SP1/SP2 (legacy)" or "legacy (claimed)". */
  private static MachineKey.CompatibilityMode mode(String described) {
    if (described.contains("Framework45")) {
      return MachineKey.CompatibilityMode.FRAMEWORK45;
    }
    if (described.startsWith("Framework20SP2")) {
      return MachineKey.CompatibilityMode.FRAMEWORK20SP2;
    }
    return MachineKey.CompatibilityMode.FRAMEWORK20SP1;
  }

  private static TicketFormat format(JsonNode expected) {
    return expected.path("ticketFormat").asText().startsWith("legacy native")
        ? TicketFormat.LEGACY_NATIVE
        : TicketFormat.SERIALIZED;
  }

  private static MutableClock clockBefore(JsonNode expected) {
    return new MutableClock(
        Instant.parse(expected.path("expirationUtc").asText()).minusSeconds(1));
  }

  private static FormsAuthenticationTicket expectedTicket(JsonNode expected) {
    return FormsAuthenticationTicket.builder(
            expected.path("name").asText(),
            Instant.parse(expected.path("issueDateUtc").asText()),
            Instant.parse(expected.path("expirationUtc").asText()))
        .version(expected.path("version").asInt())
        .persistent(expected.path("isPersistent").asBoolean())
        .userData(expected.path("userData").asText())
        .cookiePath(expected.path("cookiePath").asText())
        .build();
  }

  private static List<JsonNode> records() throws IOException {
    JsonNode root = TestVectors.json("aspnet/" + FILE);
    assertThat(root.isArray()).isTrue();
    return StreamSupport.stream(root.spliterator(), false).toList();
  }
}
