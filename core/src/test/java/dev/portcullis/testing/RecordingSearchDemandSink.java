package dev.portcullis.testing;

import dev.portcullis.audit.SearchDemandEvent;
import dev.portcullis.audit.SearchDemandSink;

/** A {@link SearchDemandSink} that keeps every event; strict in the same way as {@link RecordingAuditSink}. */
public final class RecordingSearchDemandSink extends RecordingSink<SearchDemandEvent>
    implements SearchDemandSink {}
