package dev.portcullis.apifixture.internal;

/** A type from an internal package, which {@code ApiSurfaceTest} expects to be found where it leaks. */
public final class Hidden {}
