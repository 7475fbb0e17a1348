package dev.portcullis.apifixture;

/** A package-private type: not part of the surface. */
final class Inside {
  public dev.portcullis.apifixture.internal.Hidden hidden() {
    return null;
  }
}
