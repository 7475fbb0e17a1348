/**
 * What other Portcullis modules (the framework adapters) need from the servlet module but applications should not
 * use. Internal: not part of the supported API, and may change in any release.
 */
package dev.portcullis.servlet.internal;
