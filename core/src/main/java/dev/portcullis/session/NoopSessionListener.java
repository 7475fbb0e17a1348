package dev.portcullis.session;

/** The listener that hears nothing: {@link SessionListener#noop()}. */
enum NoopSessionListener implements SessionListener {
  INSTANCE
}
