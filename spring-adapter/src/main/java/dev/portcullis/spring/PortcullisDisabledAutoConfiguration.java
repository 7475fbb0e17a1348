package dev.portcullis.spring;

import dev.portcullis.servlet.PortcullisFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/**
 * When {@code portcullis.enabled} turns the starter off (any value but {@code true}, exactly when {@link
 * PortcullisAutoConfiguration} backs off), logs a warning once at start-up that nothing is protected, naming where the
 * property was set, as the servlet auto-configuration does. Installs nothing else.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(PortcullisFilter.class)
@Conditional(PortcullisDisabledAutoConfiguration.TurnedOff.class)
final class PortcullisDisabledAutoConfiguration {
  private static final Logger log = LoggerFactory.getLogger(PortcullisAutoConfiguration.class);
  private static final String PROPERTY = "portcullis.enabled";

  PortcullisDisabledAutoConfiguration() {}

  @Bean
  static SmartInitializingSingleton portcullisTurnedOffWarning(Environment environment) {
    return () -> log.warn(
        "Portcullis is installed but turned off by {}={} ({}): nothing is protected",
        PROPERTY,
        environment.getProperty(PROPERTY),
        sourceOf(environment));
  }

  /** Where {@code portcullis.enabled} was set: a file and line, an environment variable, a property source. */
  private static String sourceOf(Environment environment) {
    if (environment instanceof ConfigurableEnvironment configurable) {
      ConfigurationPropertyName name = ConfigurationPropertyName.of(PROPERTY);
      for (ConfigurationPropertySource source : ConfigurationPropertySources.get(configurable)) {
        ConfigurationProperty property = source.getConfigurationProperty(name);
        if (property != null && property.getOrigin() != null) {
          return property.getOrigin().toString();
        }
      }
    }
    return "unknown source";
  }

  /** The opposite of {@link PortcullisAutoConfiguration}'s condition on the property. */
  static final class TurnedOff extends NoneNestedConditions {
    TurnedOff() {
      super(ConfigurationPhase.PARSE_CONFIGURATION);
    }

    @ConditionalOnProperty(
        prefix = "portcullis",
        name = "enabled",
        havingValue = "true",
        matchIfMissing = true)
    static final class TurnedOn {}
  }
}
