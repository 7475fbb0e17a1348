package dev.portcullis.spring;

import dev.portcullis.audit.AuditSink;

/**
 * An audit sink the starter adds beside the application's {@link AuditSink} beans (which replace the default sink):
 * how Spring Security's authentication events are fed without switching the default sink off.
 */
interface AuditSinkContribution {
  AuditSink sink();
}
