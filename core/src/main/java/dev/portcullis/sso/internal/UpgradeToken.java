package dev.portcullis.sso.internal;

import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The content of the SSO-upgrade cookie: "this browser's session logged in locally as this user and may link the
 * account to an SSO identity, until this time". Never a bare user number: it is sealed, bound to the session, short
 * and single-use.
 *
 * @param tokenId 16 random bytes as 32 hex digits, for the replay store
 * @param userHandle the locally logged-in user
 * @param sessionBinding hex of {@link dev.portcullis.ticket.SessionBinding#labelled} for the session it was issued to
 * @param expiresAt at most ten minutes after issue
 */
public record UpgradeToken(
    String tokenId, String userHandle, String sessionBinding, Instant expiresAt) {
  public UpgradeToken {
    Objects.requireNonNull(tokenId, "tokenId");
    Objects.requireNonNull(userHandle, "userHandle");
    Objects.requireNonNull(sessionBinding, "sessionBinding");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (tokenId.length() != 32 || !HexFormat.isHexDigit(tokenId.charAt(0))) {
      throw new IllegalArgumentException("a token id is 32 hex digits");
    }
  }

  @Override
  public String toString() {
    return "UpgradeToken[" + tokenId + ", expires " + expiresAt + "]";
  }
}
