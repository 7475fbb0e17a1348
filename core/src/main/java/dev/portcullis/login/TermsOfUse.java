package dev.portcullis.login;

import dev.portcullis.audit.AuditEventType;
import dev.portcullis.audit.AuditNote;
import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.util.Objects;

/**
 * The current version of the terms of use, and who has accepted it. A login must accept it unless the user already
 * has; a logged-in user who has not (the version changed since) reaches only the terms page until they do.
 */
public final class TermsOfUse {
  private final UserDirectory directory;
  private final String version;

  /** @throws IllegalArgumentException when {@code version} is blank */
  public TermsOfUse(UserDirectory directory, String version) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.version = Objects.requireNonNull(version, "version");
    if (version.isBlank()) {
      throw new IllegalArgumentException("the terms-of-use version cannot be blank");
    }
  }

  public String version() {
    return version;
  }

  /** Whether {@code user} has to accept the current version before anything else. */
  public boolean needsAcceptance(PortalUser user) {
    return !version.equals(user.acceptedTermsVersion());
  }

  /**
   * Records that {@code user} accepted the current version.
   *
   * @return the user as they are now
   */
  public PortalUser accept(PortalUser user) {
    directory.recordTermsAcceptance(user.handle(), version);
    return user.withAcceptedTerms(version);
  }

  /** The {@code terms_accepted} event to record when a user has accepted the current version. */
  public AuditNote acceptedNote() {
    return AuditNote.success(AuditEventType.TERMS_ACCEPTED).withReason("terms version " + version);
  }
}
