package dev.portcullis.crypto;

/**
 * Where the keys that seal and open come from at this moment. A {@link KeyRing} is a source that never changes; a
 * {@link ReloadingKeyRing} reads its file again while the application runs, so that each phase of a rotation and a
 * revocation reach every node without a restart.
 *
 * <p>Everything that seals, opens or tags ({@link Sealer}, {@link KeyedMac}, and the Portcullis parts built on them)
 * takes a source and asks it for the ring once per operation, so an operation sees one whole ring, never a mix.
 *
 * <p><b>Security.</b> {@link #current()} never returns a ring that failed its checks: a source that cannot read a
 * new ring keeps handing out the last good one.
 */
@FunctionalInterface
public interface KeyRingSource {
  /** The ring to use now; never null, and cheap enough to ask for on every request. */
  KeyRing current();
}
