/** The README's Dropwizard start, compiled by this module's tests. */
package dev.portcullis.dropwizard.readme;
