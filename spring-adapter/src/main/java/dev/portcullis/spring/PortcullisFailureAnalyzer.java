package dev.portcullis.spring;

import dev.portcullis.crypto.InvalidKeyRingException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Puts a Portcullis configuration problem first in the start-up failure report, with what to change, instead of a
 * bean-creation stack trace.
 */
final class PortcullisFailureAnalyzer implements FailureAnalyzer {
  static final String KEYS_ACTION = "Supply the key ring: set the environment variable PORTCULLIS_KEYS (or the one"
      + " named by portcullis.keys.environment-variable), or portcullis.keys.file, or portcullis.keys.pkcs12.path"
      + " with portcullis.keys.pkcs12.password. Create a key file with"
      + " 'java -cp portcullis-core.jar dev.portcullis.crypto.KeyTool create FILE'. Portcullis has no default key.";

  @Override
  public FailureAnalysis analyze(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PortcullisConfigurationException config) {
        return new FailureAnalysis("Portcullis is not configured correctly: " + config.getMessage(), config.action(),
            config);
      }
      if (t instanceof InvalidKeyRingException keys) {
        return new FailureAnalysis("Portcullis cannot use its key ring: " + keys.getMessage(), KEYS_ACTION, keys);
      }
    }
    return null;
  }
}
