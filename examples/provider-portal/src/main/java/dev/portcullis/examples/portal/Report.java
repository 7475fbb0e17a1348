package dev.portcullis.examples.portal;

import java.util.List;

/**
 * An inspection or monitoring report that belongs to one organisation.
 *
 * @param id the number in its address, {@code /reports/{id}}
 * @param organisation the handle of the organisation it belongs to
 * @param findings one line per finding
 */
record Report(
    String id,
    String organisation,
    String title,
    String period,
    String summary,
    List<String> findings) {
  Report {
    findings = List.copyOf(findings);
  }
}
