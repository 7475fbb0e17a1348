package dev.portcullis.spring;

import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.internal.NearestName;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Makes a {@code portcullis.*} setting that binds to no property stop start-up when it comes from an environment
 * variable or a system property, as one in a configuration file or on the command line already does ({@code
 * ignoreUnknownFields = false}). Spring Boot leaves those two sources out of its own check, as the process holds
 * names that are not meant as properties; in a container they are where the settings are, and {@code
 * PORTCULLIS_ACESS_RULES_0_PATTERN=/admin/**} would otherwise leave the administrators' pages to every user who can
 * log in.
 *
 * <p>Which names are Portcullis' there: every environment variable that Spring Boot reads as a {@code portcullis.*}
 * property ({@code PORTCULLIS_*}) but the key ring's ({@code portcullis.keys.environment-variable}, and the default
 * {@value KeyRingSources#ENV_VARIABLE} beside it) and {@code PORTCULLIS_CONFIG} (the WAR's settings file); and every system property
 * {@code portcullis.<group>...} whose group is one of the starter's ({@code access}, {@code session}, ...) or at most
 * two letters from one ({@code portcullis.acess.public-paths}). Other {@code portcullis.*} system properties (a
 * build's own, such as {@code portcullis.root.dir}) are not settings and pass.
 */
final class ProcessEnvironmentSettings implements ConfigurationPropertiesBindHandlerAdvisor {
  private static final ConfigurationPropertyName PREFIX =
      ConfigurationPropertyName.of("portcullis");

  /** The variable of the WAR's settings file, which a process may carry beside the starter. */
  static final String CONFIG_VARIABLE = "PORTCULLIS_CONFIG";

  /** The first element of every property: {@code keys}, {@code session}, ..., {@code enabled}. */
  static final List<String> GROUPS =
      Spelling.NAMES.stream().map(name -> name.split("[.\\[]")[1]).distinct().toList();

  @Override
  public BindHandler apply(BindHandler bindHandler) {
    return new Check(bindHandler);
  }

  /** Checks the process's sources when the {@code portcullis} prefix is bound; passes every other binding on. */
  private static final class Check extends NoUnboundElementsBindHandler {
    private final BindHandler parent;

    Check(BindHandler parent) {
      super(parent, Check::isProcessSource);
      this.parent = parent;
    }

    private static boolean isProcessSource(ConfigurationPropertySource source) {
      return source.getUnderlyingSource() instanceof PropertySource<?> named
          && isProcessSourceName(named.getName());
    }

    @Override
    public void onFinish(
        ConfigurationPropertyName name, Bindable<?> target, BindContext context, Object result)
        throws Exception {
      if (context.getDepth() != 0) {
        super.onFinish(name, target, context, result);
        return;
      }
      if (!PREFIX.equals(name)) {
        parent.onFinish(name, target, context, result);
        return;
      }
      try {
        super.onFinish(name, target, context, result);
      } catch (UnboundConfigurationPropertiesException unbound) {
        String keyRingVariable =
            result instanceof PortcullisProperties p && p.getKeys().getEnvironmentVariable() != null
                ? p.getKeys().getEnvironmentVariable()
                : KeyRingSources.ENV_VARIABLE;
        Set<ConfigurationProperty> settings = new TreeSet<>();
        for (ConfigurationProperty property : unbound.getUnboundProperties()) {
          if (isSetting(property, keyRingVariable)) {
            settings.add(property);
          }
        }
        if (!settings.isEmpty()) {
          throw new UnboundConfigurationPropertiesException(settings);
        }
        parent.onFinish(name, target, context, result);
      }
    }
  }

  private static boolean isProcessSourceName(String name) {
    return name.equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)
        || name.equals(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
  }

  /**
   * The variable of every property with the dashes of its name as underscores ({@code PORTCULLIS_SESSION_IDLE_TIMEOUT}
   * for {@code portcullis.session.idle-timeout}, {@code PORTCULLIS_AUDIT_SEARCH_ENDPOINTS_0_PATH}), list entries at
   * index 0. Spring Boot binds such a variable to the property, although the name it reads the variable as ({@code
   * portcullis.session.idle.timeout}) is none.
   */
  private static final Set<String> VARIABLES_WITH_DASHES_AS_UNDERSCORES =
      Spelling.NAMES.stream().map(Spelling::variable).collect(Collectors.toUnmodifiableSet());

  /** An index between the elements of a variable's name, or at its end: {@code _12} of {@code ..._RULES_12_ROLES}. */
  private static final Pattern VARIABLE_INDEX = Pattern.compile("_\\d+(?=_|$)");

  /** Whether {@code property}, which bound to nothing, is meant as a Portcullis setting (see the class comment). */
  static boolean isSetting(ConfigurationProperty property, String keyRingVariable) {
    if (isFromEnvironment(property)) {
      String variable = variableOf(property);
      if (variable != null
          && VARIABLES_WITH_DASHES_AS_UNDERSCORES.contains(
              VARIABLE_INDEX.matcher(variable).replaceAll("_0"))) {
        return false; // bound to the property it names
      }
      String name = property.getName().toString();
      return !name.equals(asProperty(keyRingVariable))
          && !name.equals(asProperty(KeyRingSources.ENV_VARIABLE))
          && !name.equals(asProperty(CONFIG_VARIABLE));
    }
    ConfigurationPropertyName name = property.getName();
    return name.getNumberOfElements() < 2
        || nearGroup(name.getElement(1, ConfigurationPropertyName.Form.UNIFORM));
  }

  private static boolean isFromEnvironment(ConfigurationProperty property) {
    return property.getSource() != null
        && property.getSource().getUnderlyingSource() instanceof PropertySource<?> named
        && named.getName().equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
  }

  /** The property Spring Boot reads an environment variable as: {@code PORTCULLIS_KEY_RING} is {@code portcullis.key.ring}. */
  static String asProperty(String variable) {
    StringBuilder name = new StringBuilder();
    for (String element : variable.toLowerCase(Locale.ROOT).split("_", -1)) {
      if (!element.isEmpty() && element.chars().allMatch(Character::isDigit)) {
        name.append('[').append(element).append(']');
      } else {
        name.append(name.length() == 0 ? "" : ".").append(element);
      }
    }
    return name.toString();
  }

  /** The environment variable {@code property} was read from, or null when it was not. */
  static String variableOf(ConfigurationProperty property) {
    Origin origin = property.getOrigin();
    if (origin instanceof PropertySourceOrigin wrapped && wrapped.getOrigin() != null) {
      origin = wrapped.getOrigin();
    }
    return origin instanceof SystemEnvironmentOrigin environment ? environment.getProperty() : null;
  }

  /** Whether {@code element} (dashes left out) is a group's name or at most two letters from one. */
  static boolean nearGroup(String element) {
    for (String group : GROUPS) {
      if (NearestName.distance(element, group.replace("-", "")) <= 2) {
        return true;
      }
    }
    return false;
  }
}
