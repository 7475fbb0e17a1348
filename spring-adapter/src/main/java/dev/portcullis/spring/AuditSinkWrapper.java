package dev.portcullis.spring;

import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.SearchDemandSink;

/** Wraps the first audit and search-demand sink before the audit log is built; how metrics count events. */
interface AuditSinkWrapper {
  AuditSink wrap(AuditSink sink);

  SearchDemandSink wrap(SearchDemandSink sink);
}
