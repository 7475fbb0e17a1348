package dev.portcullis.spring;

import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.SessionStore;

/** Wraps the session and revocation stores before the starter's beans use them; how metrics count store errors. */
interface StoreWrapper {
  SessionStore wrap(SessionStore store);

  RevocationStore wrap(RevocationStore store);
}
