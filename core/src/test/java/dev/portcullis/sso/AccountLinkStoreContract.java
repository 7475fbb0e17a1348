package dev.portcullis.sso;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What every {@link AccountLinkStore} must do; store tests extend it. */
public abstract class AccountLinkStoreContract {
  protected abstract AccountLinkStore store();

  @Test
  void identity_linksToOneUserOnly() {
    AccountLinkStore s = store();
    assertThat(s.link("https://idp.example", "sub-1", "u-alice")).isEqualTo(AccountLinkStore.LinkResult.LINKED);
    assertThat(s.link("https://idp.example", "sub-1", "u-alice"))
        .isEqualTo(AccountLinkStore.LinkResult.ALREADY_LINKED);
    assertThat(s.link("https://idp.example", "sub-1", "u-bob")).isEqualTo(AccountLinkStore.LinkResult.CONFLICT);
    assertThat(s.userFor("https://idp.example", "sub-1")).contains("u-alice");
    assertThat(s.isLinked("u-alice")).isTrue();
    assertThat(s.isLinked("u-bob")).isFalse();
  }

  @Test
  void sameSubjectAtAnotherIssuer_isAnotherIdentity() {
    AccountLinkStore s = store();
    s.link("https://idp-a.example", "sub-9", "u-a");
    assertThat(s.userFor("https://idp-b.example", "sub-9")).isEmpty();
    assertThat(s.link("https://idp-b.example", "sub-9", "u-b")).isEqualTo(AccountLinkStore.LinkResult.LINKED);
  }
}
