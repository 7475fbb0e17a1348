package dev.portcullis.access;

/** What {@link AccessPolicy#decide} says about a request. */
public enum AccessDecision {
  ALLOW,
  /** Anonymous request to a protected path: send to the login page. */
  LOGIN_REQUIRED,
  /** Logged in, but without a required role. */
  FORBIDDEN,
  /** The path is ambiguous or malformed and is refused outright. */
  BAD_PATH
}
