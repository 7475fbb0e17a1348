package dev.portcullis.aspnet.password;

import java.util.Objects;

/**
 * What {@link AspNetPasswords#verify} found: the password {@link Matched} the stored hash (with the fresh hash to
 * store instead), {@link NotMatched did not}, or the stored hash was {@link Refused} before any comparison. Every
 * outcome is an ordinary value; {@code verify} never throws for bad input.
 *
 * <p><b>Security.</b> Only {@link AspNetPasswords} can make a {@link Matched}. A login must treat {@link NotMatched}
 * and {@link Refused} alike towards the client; {@link Refused#reason()} is for the audit or operations log, never
 * for the person logging in.
 */
public sealed interface PasswordCheck {

  /** Whether the password matched the stored hash. */
  default boolean matched() {
    return this instanceof Matched;
  }

  /**
   * The password matched. {@link #newHash()} is a Portcullis Argon2id hash of the same password, made by the
   * configured {@link dev.portcullis.user.PasswordHasher}: store it in place of the legacy hash.
   */
  final class Matched implements PasswordCheck {
    private final String newHash;

    Matched(String newHash) {
      this.newHash = Objects.requireNonNull(newHash);
    }

    /** The PHC string ({@code $argon2id$...}) to store; {@code PasswordHasher.verify} accepts the same password. */
    public String newHash() {
      return newHash;
    }

    /** Names the outcome only: the new hash stays out of logs. */
    @Override
    public String toString() {
      return "Matched";
    }
  }

  /** The stored hash is well formed and the password does not match it. */
  final class NotMatched implements PasswordCheck {
    static final NotMatched INSTANCE = new NotMatched();

    private NotMatched() {}

    @Override
    public String toString() {
      return "NotMatched";
    }
  }

  /** The stored hash could not be checked; nothing was compared. */
  final class Refused implements PasswordCheck {
    /** Why a stored hash was refused. */
    public enum Reason {
      /** Missing, not base64, the wrong length, an unknown version marker, or a missing or unreadable salt. */
      MALFORMED,
      /**
       * Well formed, but with parameters this verifier does not run: an unknown ASP.NET Identity V3 pseudo-random
       * function, or an iteration count below 1 or above {@link AspNetPasswords#MAX_ITERATIONS}.
       */
      UNSUPPORTED_PARAMETERS,
      /**
       * A format that is never verified: SqlMembershipProvider's clear-text and encrypted formats (see
       * {@link AspNetHashFormat#MEMBERSHIP_CLEAR} and {@link AspNetHashFormat#MEMBERSHIP_ENCRYPTED}), or none given.
       */
      UNSUPPORTED_FORMAT
    }

    private final Reason reason;

    Refused(Reason reason) {
      this.reason = Objects.requireNonNull(reason);
    }

    public Reason reason() {
      return reason;
    }

    @Override
    public String toString() {
      return "Refused[" + reason + "]";
    }
  }
}
