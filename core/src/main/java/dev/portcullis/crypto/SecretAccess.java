package dev.portcullis.crypto;

/**
 * The capability needed to read secret key bytes out of a {@link KeyMaterial}. Code that holds one can leak keys, so
 * every use is easy to find: search for {@code SecretAccess.insecure()}.
 */
public final class SecretAccess {
  private static final SecretAccess INSTANCE = new SecretAccess();

  private SecretAccess() {}

  /** Grants access to secret bytes. Only key-file writers and tools should call this. */
  public static SecretAccess insecure() {
    return INSTANCE;
  }
}
