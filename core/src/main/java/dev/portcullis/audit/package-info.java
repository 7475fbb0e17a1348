/**
 * The audit trail: security and application events ({@link dev.portcullis.audit.AuditLog},
 * {@link dev.portcullis.audit.AuditEvent}), where they go ({@link dev.portcullis.audit.AuditSink}, including a
 * hash-chained file and its verifier), which requests are audited ({@link dev.portcullis.audit.AuditRules}), and the
 * anonymous search-demand log, which has no field for a user, session or address.
 */
package dev.portcullis.audit;
