/**
 * Forwarding-header resolution through trusted proxies. Internal: not part of the supported API, used by other
 * Portcullis modules only, and may change in any release.
 */
package dev.portcullis.transport.internal;
