package dev.portcullis.dropwizard;

import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.setup.Bootstrap;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;
import org.apache.commons.text.lookup.StringLookupFactory;

/**
 * {@link PortalApp} reading its YAML through Dropwizard's substitution, as an application with {@code
 * EnvironmentVariableSubstitutor} does, from {@code environment} standing for the process's environment: a
 * {@code ${NAME}} that is not there stops the start, as the strict substitutor does.
 */
final class SubstitutingPortalApp extends PortalApp {
  private final Map<String, String> environment;

  SubstitutingPortalApp(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public void initialize(Bootstrap<Config> bootstrap) {
    StringSubstitutor fromEnvironment =
        new StringSubstitutor(StringLookupFactory.INSTANCE.mapStringLookup(environment));
    fromEnvironment.setEnableUndefinedVariableException(true);
    bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
        bootstrap.getConfigurationSourceProvider(), fromEnvironment));
    super.initialize(bootstrap);
  }
}
