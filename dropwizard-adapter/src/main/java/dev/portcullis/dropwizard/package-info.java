/**
 * Portcullis for Dropwizard 5: {@link dev.portcullis.dropwizard.PortcullisBundle} puts the Portcullis filter in front
 * of the application from the {@code portcullis:} block of its YAML configuration, read into a
 * {@link dev.portcullis.dropwizard.PortcullisFactory}. Everything else in this package is an implementation detail.
 */
package dev.portcullis.dropwizard;
