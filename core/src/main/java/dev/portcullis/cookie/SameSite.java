package dev.portcullis.cookie;

/** The {@code SameSite} attribute of a cookie, spelled as it goes on the wire by {@link #attributeValue()}. */
public enum SameSite {
  STRICT("Strict"),
  LAX("Lax"),
  /** Sent on cross-site requests too; only allowed together with {@code Secure}. */
  NONE("None");

  private final String attributeValue;

  SameSite(String attributeValue) {
    this.attributeValue = attributeValue;
  }

  /** The attribute value as written in a {@code Set-Cookie} header: {@code Strict}, {@code Lax} or {@code None}. */
  public String attributeValue() {
    return attributeValue;
  }
}
