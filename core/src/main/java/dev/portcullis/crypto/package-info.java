/**
 * Keys and sealing: a {@link dev.portcullis.crypto.KeyRing} of named keys with one primary, the
 * {@link dev.portcullis.crypto.Sealer} that seals and opens cookie values under a purpose, and the sources and tool
 * that load and make key rings.
 */
package dev.portcullis.crypto;
