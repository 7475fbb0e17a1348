/**
 * Zero-configuration installation in any Servlet 6 container: {@link
 * dev.portcullis.servlet.autoconfig.PortcullisInitializer} is found through {@code META-INF/services} and registers
 * the Portcullis filter from {@code portcullis.*} settings. Everything else in this package is an implementation
 * detail.
 */
package dev.portcullis.servlet.autoconfig;
