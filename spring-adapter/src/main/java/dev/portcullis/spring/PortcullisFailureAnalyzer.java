package dev.portcullis.spring;

import dev.portcullis.crypto.InvalidKeyRingException;
import dev.portcullis.crypto.KeyRingSources;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.PropertySource;

/**
 * Puts a Portcullis configuration problem first in the start-up failure report, with what to change, instead of a
 * bean-creation stack trace.
 *
 * <p>Two binding failures are recognised as well: an environment variable {@value #OLD_VARIABLE}, which relaxed
 * binding maps onto the {@code portcullis.keys} property group (the key ring's variable is {@value
 * KeyRingSources#ENV_VARIABLE}); and {@code portcullis.*} names that no property has, which are listed with where
 * they were set but without their values (Spring Boot's own report shows the value, which may be a secret).
 * Ordered first, so that this analysis, not Spring Boot's generic one for binding failures, is shown.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
final class PortcullisFailureAnalyzer implements FailureAnalyzer {
  /** A variable name that cannot hold the key ring in Spring: it names the {@code portcullis.keys} group. */
  static final String OLD_VARIABLE = "PORTCULLIS_KEYS";

  static final String KEYS_ACTION =
      "Supply the key ring: set the environment variable " + KeyRingSources.ENV_VARIABLE
          + " (or the one named by portcullis.keys.environment-variable), or portcullis.keys.file, or"
          + " portcullis.keys.pkcs12.path"
          + " with portcullis.keys.pkcs12.password. Create a key file with"
          + " 'java -cp portcullis-core.jar dev.portcullis.crypto.KeyTool create FILE'. Portcullis has no default key.";

  @Override
  public FailureAnalysis analyze(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PortcullisConfigurationException config) {
        return new FailureAnalysis(
            "Portcullis is not configured correctly: " + config.getMessage(),
            config.action(),
            config);
      }
      if (t instanceof BindException bind && bind.getName().toString().equals("portcullis.keys")) {
        return new FailureAnalysis(
            "Portcullis cannot bind portcullis.keys: a value was given for the property group"
                + " itself, usually by an environment variable " + OLD_VARIABLE
                + " (relaxed binding reads it as"
                + " portcullis.keys). The key ring's variable is " + KeyRingSources.ENV_VARIABLE
                + ".",
            "Rename the environment variable " + OLD_VARIABLE + " to " + KeyRingSources.ENV_VARIABLE
                + " (same value),"
                + " or set portcullis.keys.file or portcullis.keys.pkcs12.path instead.",
            bind);
      }
      if (t instanceof UnboundConfigurationPropertiesException unknown) {
        return new FailureAnalysis(
            "Portcullis has no such setting: "
                + unknown.getUnboundProperties().stream()
                    .map(property -> nameAndOrigin(property) + nearest(property))
                    .collect(Collectors.joining("; "))
                + ". A misspelt name would leave the default in place, so the application does not start.",
            "Correct or remove these settings. The portcullis.* properties are listed in the starter's"
                + " configuration metadata (an IDE completes them) and in the README.",
            unknown);
      }
      if (t instanceof InvalidKeyRingException keys) {
        return new FailureAnalysis(
            "Portcullis cannot use its key ring: " + keys.getMessage(), KEYS_ACTION, keys);
      }
    }
    return null;
  }

  /** For a property that binds to nothing, the property nearest to it, as the tail of its entry; or nothing. */
  static String nearest(ConfigurationProperty property) {
    boolean variable = ProcessEnvironmentSettings.variableOf(property) != null;
    return Spelling.nearest(property.getName().toString())
        .map(name -> ", did you mean "
            + (variable ? Spelling.variable(name) + " (" + name + ")" : name) + "?")
        .orElse("");
  }

  /**
   * The property's name and where it was set (a file and line, an environment variable, or a property source); never
   * its value.
   */
  static String nameAndOrigin(ConfigurationProperty property) {
    String variable = ProcessEnvironmentSettings.variableOf(property);
    if (variable != null) {
      return property.getName() + " (environment variable " + variable + ")";
    }
    Origin origin = property.getOrigin();
    if (origin instanceof PropertySourceOrigin wrapped && wrapped.getOrigin() != null) {
      origin = wrapped.getOrigin();
    }
    if (origin instanceof TextResourceOrigin file) {
      return property.getName() + " (" + file + ")";
    }
    Object source =
        property.getSource() == null ? null : property.getSource().getUnderlyingSource();
    if (source instanceof PropertySource<?> named) {
      return property.getName() + " (property source " + named.getName() + ")";
    }
    return property.getName().toString();
  }
}
