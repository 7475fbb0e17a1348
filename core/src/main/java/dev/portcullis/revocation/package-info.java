/**
 * Revoked auth tickets ({@link dev.portcullis.revocation.RevocationStore}): single tickets and "everything of this user
 * before", in memory or in a shared store.
 */
package dev.portcullis.revocation;
