package dev.portcullis.build;

import dev.portcullis.internal.SuppressForbidden;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.Locale;
import java.util.Random;

/**
 * Classes that each break one build ban (or none), for {@link BuildBansTest}. They are never run, only scanned as
 * bytecode; the forbidden-apis check of the build covers main code only, so they can live in test sources.
 */
final class BanFixtures {
  private BanFixtures() {}

  static final class ReadsInstantNow {
    Instant read() {
      return Instant.now();
    }
  }

  static final class ReadsCurrentTimeMillis {
    long read() {
      return System.currentTimeMillis();
    }
  }

  static final class CreatesDateOfNow {
    Date read() {
      return new Date();
    }
  }

  static final class CreatesRandom {
    int roll() {
      return new Random().nextInt(6);
    }
  }

  static final class DeserializesObjects {
    Object read(InputStream in) throws IOException, ClassNotFoundException {
      try (ObjectInputStream objects = new ObjectInputStream(in)) {
        return objects.readObject();
      }
    }
  }

  static final class LowerCasesWithoutLocale {
    String lower() {
      return "X".toLowerCase();
    }
  }

  static final class FormatsWithoutLocale {
    String format(int n) {
      return String.format("%08x", n);
    }
  }

  /** Does each of the above the allowed way. */
  static final class FollowsEveryBan {
    Instant read(InstantSource clock) {
      return clock.instant();
    }

    int roll(SecureRandom random) {
      return random.nextInt(6);
    }

    String lower() {
      return "X".toLowerCase(Locale.ROOT);
    }

    String format(int n) {
      return String.format(Locale.ROOT, "%08x", n);
    }
  }

  @SuppressForbidden(reason = "fixture: shows that the suppression annotation is honoured")
  static final class SuppressedInstantNow {
    Instant read() {
      return Instant.now();
    }
  }
}
