package dev.portcullis.sso;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.sso.AccountLinkStore.LinkedIdentity;
import org.junit.jupiter.api.Test;

/** What every {@link AccountLinkStore} must do; store tests extend it. */
public abstract class AccountLinkStoreContract {
  protected abstract AccountLinkStore store();

  /**
   * What {@link AccountLinkStore#sharedBetweenNodes()} must answer: true for a store that several nodes can share (Redis,
   * PostgreSQL), false for one in a node's memory.
   */
  protected abstract boolean expectSharedBetweenNodes();

  @Test
  void sharedBetweenNodes_isAnsweredAsTheStoreIsDeployed() {
    assertThat(store().sharedBetweenNodes()).isEqualTo(expectSharedBetweenNodes());
  }

  @Test
  void identity_linksToOneUserOnly() {
    AccountLinkStore s = store();
    assertThat(s.link("https://idp.example", "sub-1", "u-alice"))
        .isEqualTo(AccountLinkStore.LinkResult.LINKED);
    assertThat(s.link("https://idp.example", "sub-1", "u-alice"))
        .isEqualTo(AccountLinkStore.LinkResult.ALREADY_LINKED);
    assertThat(s.link("https://idp.example", "sub-1", "u-bob"))
        .isEqualTo(AccountLinkStore.LinkResult.CONFLICT);
    assertThat(s.userFor("https://idp.example", "sub-1")).contains("u-alice");
    assertThat(s.isLinked("u-alice")).isTrue();
    assertThat(s.isLinked("u-bob")).isFalse();
  }

  @Test
  void sameSubjectAtAnotherIssuer_isAnotherIdentity() {
    AccountLinkStore s = store();
    s.link("https://idp-a.example", "sub-9", "u-a");
    assertThat(s.userFor("https://idp-b.example", "sub-9")).isEmpty();
    assertThat(s.link("https://idp-b.example", "sub-9", "u-b"))
        .isEqualTo(AccountLinkStore.LinkResult.LINKED);
  }

  @Test
  void linksOf_listsEachIdentityOfTheUser() {
    AccountLinkStore s = store();
    assertThat(s.linksOf("u-alice")).isEmpty();
    s.link("https://idp-a.example", "sub-1", "u-alice");
    s.link("https://idp-b.example", "sub-2", "u-alice");
    s.link("https://idp-a.example", "sub-3", "u-bob");
    assertThat(s.linksOf("u-alice"))
        .containsExactlyInAnyOrder(
            new LinkedIdentity("https://idp-a.example", "sub-1"),
            new LinkedIdentity("https://idp-b.example", "sub-2"));
    assertThat(s.linksOf("u-bob"))
        .containsExactly(new LinkedIdentity("https://idp-a.example", "sub-3"));
  }

  @Test
  void unlink_removesOnlyTheOwnersLink() {
    AccountLinkStore s = store();
    s.link("https://idp.example", "sub-1", "u-alice");
    s.link("https://idp.example", "sub-2", "u-alice");
    assertThat(s.unlink("https://idp.example", "sub-1", "u-bob"))
        .as("another user's identity")
        .isFalse();
    assertThat(s.userFor("https://idp.example", "sub-1")).contains("u-alice");
    assertThat(s.unlink("https://idp.example", "sub-1", "u-alice")).isTrue();
    assertThat(s.unlink("https://idp.example", "sub-1", "u-alice"))
        .as("already gone")
        .isFalse();
    assertThat(s.userFor("https://idp.example", "sub-1")).isEmpty();
    assertThat(s.linksOf("u-alice"))
        .containsExactly(new LinkedIdentity("https://idp.example", "sub-2"));
    assertThat(s.isLinked("u-alice")).isTrue();
    assertThat(s.unlink("https://idp.example", "sub-2", "u-alice")).isTrue();
    assertThat(s.isLinked("u-alice")).as("no identity left").isFalse();
    assertThat(s.linksOf("u-alice")).isEmpty();
  }

  @Test
  void unlinkedIdentity_mayBeLinkedAgain_toAnotherUser() {
    AccountLinkStore s = store();
    s.link("https://idp.example", "sub-1", "u-alice");
    s.unlink("https://idp.example", "sub-1", "u-alice");
    assertThat(s.link("https://idp.example", "sub-1", "u-bob"))
        .isEqualTo(AccountLinkStore.LinkResult.LINKED);
    assertThat(s.userFor("https://idp.example", "sub-1")).contains("u-bob");
  }

  @Test
  void unlinkAll_removesEveryLinkOfTheUser_andNoOtherUsers() {
    AccountLinkStore s = store();
    s.link("https://idp-a.example", "sub-1", "u-alice");
    s.link("https://idp-b.example", "sub-1", "u-alice");
    s.link("https://idp-a.example", "sub-2", "u-bob");
    assertThat(s.unlinkAll("u-alice")).isEqualTo(2);
    assertThat(s.unlinkAll("u-alice")).isZero();
    assertThat(s.isLinked("u-alice")).isFalse();
    assertThat(s.linksOf("u-alice")).isEmpty();
    assertThat(s.userFor("https://idp-a.example", "sub-1")).isEmpty();
    assertThat(s.userFor("https://idp-b.example", "sub-1")).isEmpty();
    assertThat(s.userFor("https://idp-a.example", "sub-2")).contains("u-bob");
    assertThat(s.link("https://idp-a.example", "sub-1", "u-alice"))
        .isEqualTo(AccountLinkStore.LinkResult.LINKED);
  }
}
