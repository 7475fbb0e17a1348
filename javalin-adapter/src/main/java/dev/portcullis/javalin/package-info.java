/**
 * Portcullis for Javalin: {@link dev.portcullis.javalin.PortcullisPlugin} registers the Portcullis servlet filter,
 * gives handlers the principal and the CSRF token, and checks route roles.
 */
package dev.portcullis.javalin;
