package dev.portcullis.revocation;

/** A store could not answer in time. Callers fail closed: the request is not authenticated. */
public class StoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
