package dev.portcullis.login;

import dev.portcullis.user.PortalUser;
import java.util.Objects;
import java.util.Optional;

/** What {@link LoginService#login} decided. A refusal is a normal result; its reason is for the audit log only. */
sealed interface LoginResult permits LoginResult.Success, LoginResult.Refused {

  /** The credentials matched and the account may use the portal. */
  record Success(PortalUser user, boolean acceptedTermsNow) implements LoginResult {
    public Success {
      Objects.requireNonNull(user, "user");
    }
  }

  /**
   * The login was refused. {@link #user()} is present when the credentials matched an account that may not log in,
   * so the audit event can name it. {@link #detail()} says more for the audit log (the type of a store's failure), or
   * is null.
   */
  record Refused(Reason reason, Optional<PortalUser> user, String detail) implements LoginResult {
    public Refused {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(user, "user");
    }

    Refused(Reason reason, Optional<PortalUser> user) {
      this(reason, user, null);
    }
  }

  enum Reason {
    /** The login limit: the account's or the address's budget is spent for now (see {@link LoginThrottle}). */
    THROTTLED,
    /**
     * As many logins as may be checked at once were being checked, and as many waiting: refused without a store call
     * or password check (see {@link PasswordCheckLimit}).
     */
    BUSY,
    /** The login limit's store could not answer, so the password was not checked (fail closed). */
    UNAVAILABLE,
    /**
     * The user directory could not answer: the password was not checked, or the acceptance of the terms not recorded
     * (fail closed). Not a wrong password: the attempt counts against no limit.
     */
    DIRECTORY_UNAVAILABLE,
    /** Unknown username or wrong password: the two are not told apart. */
    BAD_CREDENTIALS,
    DISABLED,
    MISSING_NAME,
    MISSING_EMAIL,
    MISSING_ROLE,
    /**
     * One of the account's roles is empty or only white space: refused as a whole rather than with the role dropped,
     * so that a directory's broken role mapping shows in the audit log.
     */
    BLANK_ROLE,
    /** The current terms of use were not accepted on the form. */
    TERMS_NOT_ACCEPTED
  }
}
