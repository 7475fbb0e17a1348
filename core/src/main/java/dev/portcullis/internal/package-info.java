/**
 * Small helpers shared across Portcullis's own packages and modules. Internal: not part of the supported API, and may
 * change in any release.
 */
package dev.portcullis.internal;
