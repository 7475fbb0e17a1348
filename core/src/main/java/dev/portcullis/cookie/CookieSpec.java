package dev.portcullis.cookie;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The declaration of one cookie that Portcullis sets: its name and flags, and the plain-language text (purpose, data
 * stored, duration) from which the cookie notice is generated. Every cookie is declared once, so the writer and the
 * notice cannot drift apart.
 *
 * <p>Defaults: Secure, HttpOnly, {@code SameSite=Lax}, {@code Path=/}, no {@code Domain}, no {@code Max-Age} (the
 * cookie lasts until the browser closes).
 *
 * <p><b>Security.</b> {@link Builder#build()} refuses a name that is not an RFC 6265 token, a {@code __Host-} name
 * without Secure, {@code Path=/} and no Domain, a {@code __Secure-} name without Secure, and {@code SameSite=None}
 * without Secure. It does not decide whether a cookie may be set over plain HTTP; the transport stage does.
 */
public final class CookieSpec {
  /** The prefix that binds a cookie to one host, over HTTPS, for the whole site. */
  public static final String HOST_PREFIX = "__Host-";

  /** The prefix that requires the Secure flag. */
  public static final String SECURE_PREFIX = "__Secure-";

  private final String name;
  private final String purpose;
  private final String dataStored;
  private final String duration;
  private final boolean secure;
  private final boolean httpOnly;
  private final SameSite sameSite;
  private final String path;
  private final String domain;
  private final Duration maxAge;

  private CookieSpec(Builder b) {
    this.name = b.name;
    this.purpose = b.purpose;
    this.dataStored = b.dataStored;
    this.duration = b.duration;
    this.secure = b.secure;
    this.httpOnly = b.httpOnly;
    this.sameSite = b.sameSite;
    this.path = b.path;
    this.domain = b.domain;
    this.maxAge = b.maxAge;
  }

  /** Starts a declaration of the cookie called {@code name}, with the secure defaults. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder holding this declaration's values, to derive a changed one (for example another name). */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.purpose = purpose;
    b.dataStored = dataStored;
    b.duration = duration;
    b.secure = secure;
    b.httpOnly = httpOnly;
    b.sameSite = sameSite;
    b.path = path;
    b.domain = domain;
    b.maxAge = maxAge;
    return b;
  }

  public String name() {
    return name;
  }

  /** Why the portal sets this cookie, in words for the cookie notice. */
  public String purpose() {
    return purpose;
  }

  /** What the cookie holds, in words for the cookie notice. */
  public String dataStored() {
    return dataStored;
  }

  /** How long the cookie lasts, in words for the cookie notice. */
  public String duration() {
    return duration;
  }

  public boolean secure() {
    return secure;
  }

  public boolean httpOnly() {
    return httpOnly;
  }

  public SameSite sameSite() {
    return sameSite;
  }

  public String path() {
    return path;
  }

  /** The {@code Domain} attribute; empty (the default) means host-only. */
  public Optional<String> domain() {
    return Optional.ofNullable(domain);
  }

  /** The {@code Max-Age}; empty (the default) means the cookie ends when the browser closes. */
  public Optional<Duration> maxAge() {
    return Optional.ofNullable(maxAge);
  }

  /** True when the cookie has no {@code Max-Age}: it ends when the browser closes. */
  public boolean sessionScoped() {
    return maxAge == null;
  }

  @Override
  public String toString() {
    return "CookieSpec[" + name + "]";
  }

  /** Collects a cookie declaration; {@link #build()} checks it. Not thread-safe. */
  public static final class Builder {
    private String name;
    private String purpose;
    private String dataStored;
    private String duration;
    private boolean secure = true;
    private boolean httpOnly = true;
    private SameSite sameSite = SameSite.LAX;
    private String path = "/";
    private String domain;
    private Duration maxAge;

    private Builder(String name) {
      this.name = name;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder purpose(String purpose) {
      this.purpose = purpose;
      return this;
    }

    public Builder dataStored(String dataStored) {
      this.dataStored = dataStored;
      return this;
    }

    public Builder duration(String duration) {
      this.duration = duration;
      return this;
    }

    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    public Builder httpOnly(boolean httpOnly) {
      this.httpOnly = httpOnly;
      return this;
    }

    public Builder sameSite(SameSite sameSite) {
      this.sameSite = Objects.requireNonNull(sameSite, "sameSite");
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    /** Sets the {@code Domain} attribute; {@code null} (the default) keeps the cookie host-only. */
    public Builder domain(String domain) {
      this.domain = domain;
      return this;
    }

    /** Sets the {@code Max-Age}; {@code null} (the default) makes the cookie end when the browser closes. */
    public Builder maxAge(Duration maxAge) {
      this.maxAge = maxAge;
      return this;
    }

    /**
     * Checks the declaration and returns it.
     *
     * @throws IllegalStateException when the name, the flags or the notice text are missing or contradict each other
     */
    public CookieSpec build() {
      require(
          name != null && isToken(name), "cookie name must be a non-empty RFC 6265 token: " + name);
      require(notBlank(purpose), name + ": purpose is required for the cookie notice");
      require(notBlank(dataStored), name + ": data stored is required for the cookie notice");
      require(notBlank(duration), name + ": duration is required for the cookie notice");
      require(
          path != null && path.startsWith("/") && isAttributeValue(path),
          name + ": path must start with '/'" + " and hold no control character or ';'");
      require(
          domain == null || (!domain.isEmpty() && isAttributeValue(domain)),
          name + ": invalid domain");
      require(maxAge == null || !maxAge.isNegative(), name + ": max-age must not be negative");
      require(sameSite != SameSite.NONE || secure, name + ": SameSite=None requires Secure");
      if (name.startsWith(SECURE_PREFIX)) {
        require(secure, name + ": a __Secure- cookie requires Secure");
      }
      if (name.startsWith(HOST_PREFIX)) {
        require(secure, name + ": a __Host- cookie requires Secure");
        require("/".equals(path), name + ": a __Host- cookie requires Path=/");
        require(domain == null, name + ": a __Host- cookie must not have a Domain");
      }
      return new CookieSpec(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalStateException(message);
      }
    }

    private static boolean notBlank(String s) {
      return s != null && !s.isBlank();
    }

    /** RFC 6265 cookie-name: an RFC 2616 token (visible ASCII except separators). */
    static boolean isToken(String s) {
      if (s.isEmpty()) {
        return false;
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
          return false;
        }
      }
      return true;
    }

    private static boolean isAttributeValue(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c >= 0x7f || c == ';') {
          return false;
        }
      }
      return true;
    }
  }
}
