package dev.portcullis.aspnet;

import java.time.Instant;
import java.util.Objects;

/**
 * The content of a .NET Forms Authentication ticket: who, until when, and the application's own user data. A plain
 * immutable value; {@link FormsAuthentication#open(String)} returns one only inside a verified result.
 *
 * <p>Times keep .NET's precision of 100 ns; finer parts of an {@link Instant} are dropped. Strings are kept as UTF-16
 * code units, exactly as .NET stores them.
 */
public final class FormsAuthenticationTicket {
  /** Generous for a user name, a path or the user data, and still far below what fits into a 4096-character cookie. */
  static final int MAX_STRING_LENGTH = 2048;

  private final int version;
  private final String name;
  private final Instant issueDate;
  private final Instant expiration;
  private final boolean persistent;
  private final String userData;
  private final String cookiePath;

  private FormsAuthenticationTicket(Builder b) {
    this.version = b.version;
    this.name = b.name;
    this.issueDate = DotNetTicks.truncate(b.issueDate);
    this.expiration = DotNetTicks.truncate(b.expiration);
    this.persistent = b.persistent;
    this.userData = b.userData;
    this.cookiePath = b.cookiePath;
  }

  /** Starts a ticket with version 2, path {@code /}, empty user data and not persistent, as .NET does. */
  public static Builder builder(String name, Instant issueDate, Instant expiration) {
    return new Builder(name, issueDate, expiration);
  }

  /** The application-defined ticket version, 0 to 255. */
  public int version() {
    return version;
  }

  /** The user name as the .NET portal stored it. */
  public String name() {
    return name;
  }

  public Instant issueDate() {
    return issueDate;
  }

  public Instant expiration() {
    return expiration;
  }

  /** Whether the .NET portal wrote the cookie with an expiry ("remember me"). */
  public boolean persistent() {
    return persistent;
  }

  /** The application's own data, often roles or an id; empty when none. */
  public String userData() {
    return userData;
  }

  public String cookiePath() {
    return cookiePath;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FormsAuthenticationTicket t
        && version == t.version
        && persistent == t.persistent
        && name.equals(t.name)
        && issueDate.equals(t.issueDate)
        && expiration.equals(t.expiration)
        && userData.equals(t.userData)
        && cookiePath.equals(t.cookiePath);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, name, issueDate, expiration, persistent, userData, cookiePath);
  }

  /** Omits the user name and the user data, which may be personal. */
  @Override
  public String toString() {
    return "FormsAuthenticationTicket[version=" + version + ", issueDate=" + issueDate
        + ", expiration=" + expiration + ", persistent=" + persistent + ", cookiePath=" + cookiePath
        + "]";
  }

  /** Sets the optional parts of a ticket; {@link #build()} checks ranges and lengths. */
  public static final class Builder {
    private int version = 2;
    private final String name;
    private final Instant issueDate;
    private final Instant expiration;
    private boolean persistent;
    private String userData = "";
    private String cookiePath = "/";

    private Builder(String name, Instant issueDate, Instant expiration) {
      this.name = Objects.requireNonNull(name, "name");
      this.issueDate = Objects.requireNonNull(issueDate, "issueDate");
      this.expiration = Objects.requireNonNull(expiration, "expiration");
    }

    public Builder version(int version) {
      this.version = version;
      return this;
    }

    public Builder persistent(boolean persistent) {
      this.persistent = persistent;
      return this;
    }

    public Builder userData(String userData) {
      this.userData = Objects.requireNonNull(userData, "userData");
      return this;
    }

    public Builder cookiePath(String cookiePath) {
      this.cookiePath = Objects.requireNonNull(cookiePath, "cookiePath");
      return this;
    }

    /**
     * @throws IllegalArgumentException if the version is outside 0..255, a time is outside .NET's DateTime range, or
     *     a string is longer than 2048 characters
     */
    public FormsAuthenticationTicket build() {
      if (version < 0 || version > 255) {
        throw new IllegalArgumentException("ticket version must be between 0 and 255");
      }
      DotNetTicks.fromInstant(issueDate);
      DotNetTicks.fromInstant(expiration);
      checkLength("name", name);
      checkLength("userData", userData);
      checkLength("cookiePath", cookiePath);
      return new FormsAuthenticationTicket(this);
    }

    private static void checkLength(String what, String value) {
      if (value.length() > MAX_STRING_LENGTH) {
        throw new IllegalArgumentException(
            "ticket " + what + " is longer than " + MAX_STRING_LENGTH + " characters");
      }
    }
  }
}
