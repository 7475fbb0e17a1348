/**
 * Who may see which page: {@link dev.portcullis.access.AccessPolicy} decides allow, login or deny for a request path,
 * and {@link dev.portcullis.access.OrganisationScope} answers the application's "is this in the user's organisation?".
 */
package dev.portcullis.access;
