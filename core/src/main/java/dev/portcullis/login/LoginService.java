package dev.portcullis.login;

import dev.portcullis.user.PortalUser;
import dev.portcullis.user.UserDirectory;
import java.util.Objects;
import java.util.Optional;

/**
 * The password part of a login: throttle, credentials, account completeness and the terms of use. It issues no
 * ticket and touches no session; {@link PortalLogin#passwordLogin} does that on {@link LoginResult.Success}.
 *
 * <p><b>Security.</b> At most so many logins are checked at once ({@link PasswordCheckLimit}); the rest are
 * refused, or wait briefly, before any store call or password check. Each attempt reserves its place in the login
 * limit before the password is checked, so concurrent attempts cannot outrun it; throttled attempts are refused
 * without a password check (see {@link LoginThrottle} for what a success gives back). Unknown usernames and wrong
 * passwords give the same result and, through the directory's dummy check, cost the same time. An account needs a
 * name, an email and at least one role, and must be enabled. A directory that throws refuses the login as
 * {@link LoginResult.Reason#DIRECTORY_UNAVAILABLE}, with the attempt's slots given back: an outage locks no account.
 */
final class LoginService {
  private final UserDirectory directory;
  private final LoginThrottle throttle;
  private final PasswordCheckLimit checks;
  private final String termsVersion;

  /**
   * With the default number of password checks at once ({@link PasswordCheckLimit#defaultPlaces()}).
   *
   * @param termsVersion the current terms-of-use version; a login must accept it unless the user already has
   */
  public LoginService(UserDirectory directory, LoginThrottle throttle, String termsVersion) {
    this(
        directory,
        throttle,
        termsVersion,
        new PasswordCheckLimit(PasswordCheckLimit.defaultPlaces()));
  }

  LoginService(
      UserDirectory directory,
      LoginThrottle throttle,
      String termsVersion,
      PasswordCheckLimit checks) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.throttle = Objects.requireNonNull(throttle, "throttle");
    this.checks = Objects.requireNonNull(checks, "checks");
    this.termsVersion = Objects.requireNonNull(termsVersion, "termsVersion");
    if (termsVersion.isBlank()) {
      throw new IllegalArgumentException("the terms-of-use version cannot be blank");
    }
  }

  public LoginResult login(
      String username, char[] password, boolean acceptsTerms, String clientAddress) {
    if (!checks.enter()) {
      return new LoginResult.Refused(LoginResult.Reason.BUSY, Optional.empty());
    }
    try {
      return check(username, password, acceptsTerms, clientAddress);
    } finally {
      checks.leave();
    }
  }

  private LoginResult check(
      String username, char[] password, boolean acceptsTerms, String clientAddress) {
    LoginThrottle.Attempt attempt = throttle.reserve(username, clientAddress);
    if (!attempt.admitted()) {
      return new LoginResult.Refused(attempt.refusal(), Optional.empty());
    }
    Optional<PortalUser> found;
    try {
      found = directory.authenticate(username, password);
    } catch (RuntimeException e) {
      // An outage says nothing about the password: the slots go back, so that it locks no account.
      attempt.release();
      return directoryUnavailable(e, Optional.empty());
    }
    if (found.isEmpty()) {
      // The attempt keeps its slots: a failure counts until it leaves the window.
      return new LoginResult.Refused(LoginResult.Reason.BAD_CREDENTIALS, Optional.empty());
    }
    PortalUser user = found.get();
    LoginResult.Reason refusal = accountProblem(user);
    if (refusal != null) {
      attempt.release();
      return new LoginResult.Refused(refusal, found);
    }
    attempt.succeeded();
    boolean needsTerms = !termsVersion.equals(user.acceptedTermsVersion());
    if (needsTerms && !acceptsTerms) {
      return new LoginResult.Refused(LoginResult.Reason.TERMS_NOT_ACCEPTED, found);
    }
    if (needsTerms) {
      try {
        directory.recordTermsAcceptance(user.handle(), termsVersion);
      } catch (RuntimeException e) {
        return directoryUnavailable(e, found);
      }
      user = user.withAcceptedTerms(termsVersion);
    }
    return new LoginResult.Success(user, needsTerms);
  }

  /** The directory threw: refused as an outage, with the exception's type (never its message) for the audit log. */
  private static LoginResult directoryUnavailable(RuntimeException e, Optional<PortalUser> user) {
    return new LoginResult.Refused(
        LoginResult.Reason.DIRECTORY_UNAVAILABLE, user, e.getClass().getSimpleName());
  }

  /**
   * Why {@code user} may not log in, or null: the one answer to "may this account log in?", asked by every kind of
   * login and on every request of a logged-in user.
   */
  static LoginResult.Reason accountProblem(PortalUser user) {
    if (!user.enabled()) {
      return LoginResult.Reason.DISABLED;
    }
    if (user.displayName().isBlank()) {
      return LoginResult.Reason.MISSING_NAME;
    }
    if (user.email().isBlank()) {
      return LoginResult.Reason.MISSING_EMAIL;
    }
    if (user.roles().isEmpty()) {
      return LoginResult.Reason.MISSING_ROLE;
    }
    // A directory that maps an empty column or a list with a trailing comma to a role: the
    // account is refused, not trimmed, so that a broken mapping is seen in the audit log. A loop,
    // not a stream: this runs on every authenticated request.
    for (String role : user.roles()) {
      if (role.isBlank()) {
        return LoginResult.Reason.BLANK_ROLE;
      }
    }
    return null;
  }
}
