package dev.portcullis.sso.internal;

import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.Opened;
import dev.portcullis.crypto.Purpose;
import dev.portcullis.crypto.Sealer;
import dev.portcullis.sso.ReplayStore;
import dev.portcullis.ticket.SessionBinding;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Issues and redeems sealed SSO-upgrade tokens (purpose {@code sso-upgrade}, bound to the cookie name).
 *
 * <p><b>Security.</b> A redeemed token was sealed by this key ring for this purpose and cookie name, is unexpired, is
 * bound to the presenting session, and was never redeemed before on any node sharing the {@link ReplayStore}. An
 * auth cookie presented in its place fails (another purpose). Lifetime: at most 10 minutes, 5 by default.
 */
public final class UpgradeTokens {
  /** The longest lifetime a token may be given. */
  public static final Duration MAX_LIFETIME = Duration.ofMinutes(10);

  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
  private static final byte VERSION = 1;
  private static final HexFormat HEX = HexFormat.of();

  private final Sealer sealer;
  private final String cookieName;
  private final InstantSource clock;
  private final SecureRandom random;
  private final ReplayStore replay;
  private final Duration lifetime;

  private UpgradeTokens(
      KeyRingSource ring,
      String cookieName,
      InstantSource clock,
      SecureRandom random,
      ReplayStore replay,
      Duration lifetime) {
    this.sealer = Sealer.create(ring, Purpose.SSO_UPGRADE, random);
    this.cookieName = cookieName;
    this.clock = clock;
    this.random = random;
    this.replay = replay;
    this.lifetime = lifetime;
  }

  public static UpgradeTokens create(
      KeyRingSource ring,
      String cookieName,
      InstantSource clock,
      SecureRandom random,
      ReplayStore replay,
      Duration lifetime) {
    Objects.requireNonNull(lifetime, "lifetime");
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException(
          "an SSO-upgrade token lives between 1 ms and 10 minutes, got " + lifetime);
    }
    return new UpgradeTokens(
        ring,
        Objects.requireNonNull(cookieName),
        Objects.requireNonNull(clock),
        Objects.requireNonNull(random),
        Objects.requireNonNull(replay),
        lifetime);
  }

  /** A sealed token for {@code userHandle} in session {@code sessionId}: the cookie value. */
  public String issue(String userHandle, String sessionId) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    Instant expires = clock.instant().plus(lifetime);
    byte[] user = userHandle.getBytes(StandardCharsets.UTF_8);
    if (user.length > 255) {
      throw new IllegalArgumentException("user handle too long");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.write(id);
      out.write(SessionBinding.labelled(sessionId));
      out.writeLong(expires.toEpochMilli());
      out.writeByte(user.length);
      out.write(user);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sealer.seal(bytes.toByteArray(), cookieName);
  }

  /** What a redemption attempt found; anything but {@link Redemption.Redeemed} aborts the upgrade. */
  public sealed interface Redemption {
    record Redeemed(UpgradeToken token) implements Redemption {}

    /** Tampered, another purpose or cookie, malformed, expired or from another session. */
    record Refused(String reason) implements Redemption {}

    /** Authentic but already redeemed: audit as token reuse. */
    record Replayed(UpgradeToken token) implements Redemption {}
  }

  /**
   * What {@link #check} found: a token that a redemption would accept if it was not redeemed before, or the reason it
   * would not.
   */
  public sealed interface Check {
    record Valid(UpgradeToken token) implements Check {}

    /** Tampered, another purpose or cookie, malformed, expired or from another session. */
    record Invalid(String reason) implements Check {}
  }

  /**
   * Opens and checks {@code cookieValue} for session {@code sessionId} as {@link #redeem} does, without redeeming it:
   * whether the replay store has seen it is not asked. For deciding whether to show the offer.
   */
  public Check check(CharSequence cookieValue, String sessionId) {
    Opened opened = sealer.open(cookieValue, cookieName);
    if (opened instanceof Opened.Failed f) {
      return new Check.Invalid(f.reason().name());
    }
    UpgradeToken token = decode(((Opened.Ok) opened).plaintext());
    if (token == null) {
      return new Check.Invalid("MALFORMED");
    }
    if (!clock.instant().isBefore(token.expiresAt())) {
      return new Check.Invalid("EXPIRED");
    }
    if (!java.security.MessageDigest.isEqual(
        HEX.parseHex(token.sessionBinding()), SessionBinding.labelled(sessionId))) {
      return new Check.Invalid("OTHER_SESSION");
    }
    return new Check.Valid(token);
  }

  /** Opens, checks and redeems {@code cookieValue} for session {@code sessionId}, at most once across nodes. */
  public Redemption redeem(CharSequence cookieValue, String sessionId) {
    Check checked = check(cookieValue, sessionId);
    if (checked instanceof Check.Invalid invalid) {
      return new Redemption.Refused(invalid.reason());
    }
    UpgradeToken token = ((Check.Valid) checked).token();
    return replay.markUsed(token.tokenId(), token.expiresAt())
        ? new Redemption.Redeemed(token)
        : new Redemption.Replayed(token);
  }

  private static UpgradeToken decode(byte[] b) {
    try {
      ByteBuffer in = ByteBuffer.wrap(b);
      if (in.get() != VERSION) {
        return null;
      }
      byte[] id = new byte[16];
      in.get(id);
      byte[] binding = new byte[16];
      in.get(binding);
      long expires = in.getLong();
      byte[] user = new byte[Byte.toUnsignedInt(in.get())];
      in.get(user);
      if (in.hasRemaining() || user.length == 0) {
        return null;
      }
      return new UpgradeToken(
          HEX.formatHex(id),
          new String(user, StandardCharsets.UTF_8),
          HEX.formatHex(binding),
          Instant.ofEpochMilli(expires));
    } catch (BufferUnderflowException | IllegalArgumentException | java.time.DateTimeException e) {
      return null;
    }
  }

  public String cookieName() {
    return cookieName;
  }
}
