/**
 * Path normalisation shared by the access and audit rules. Internal: not part of the supported API, used by other
 * Portcullis modules only, and may change in any release.
 */
package dev.portcullis.access.internal;
