/**
 * Spring Boot auto-configuration: {@code portcullis.*} properties mapped onto the core builders, the filter's
 * registration, the Spring Security bridge and actuator endpoints. {@link dev.portcullis.spring.PortcullisCustomizer}
 * beans see the filter builder last.
 */
package dev.portcullis.spring;
