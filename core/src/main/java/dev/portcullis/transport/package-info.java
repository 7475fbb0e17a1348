/**
 * HTTPS and where a request came from: {@link dev.portcullis.transport.TransportConfig} (HTTPS required, HSTS, trusted
 * proxies, the canonical host) and {@link dev.portcullis.transport.IpAddress}, the one reading of IP literals.
 */
package dev.portcullis.transport;
