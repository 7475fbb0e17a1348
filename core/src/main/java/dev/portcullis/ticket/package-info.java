/**
 * The auth ticket sealed into the auth-key cookie ({@link dev.portcullis.ticket.AuthTicket}): no personal data, bound
 * to one session, and opened only by {@link dev.portcullis.ticket.TicketVerifier}.
 */
package dev.portcullis.ticket;
