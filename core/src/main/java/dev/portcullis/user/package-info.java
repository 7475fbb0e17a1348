/**
 * Portal accounts: the {@link dev.portcullis.user.UserDirectory} the application provides, the
 * {@link dev.portcullis.user.PortalUser} it returns, an in-memory directory and the password hasher.
 */
package dev.portcullis.user;
