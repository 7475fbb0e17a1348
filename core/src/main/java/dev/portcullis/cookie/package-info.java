/**
 * Cookie declarations ({@link dev.portcullis.cookie.CookieSpec}): every cookie Portcullis writes is declared once, with
 * secure defaults, so the cookie notice and the logout that clears them cannot drift from what is sent.
 */
package dev.portcullis.cookie;
