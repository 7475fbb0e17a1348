package dev.portcullis.servlet;

import jakarta.servlet.ServletException;
import java.io.IOException;

/**
 * One step of {@link PortcullisFilter}'s pipeline. A stage either calls {@link Next#proceed()} (possibly doing work
 * before and after) or ends the request by writing a response itself. Stages translate between the servlet request and
 * a core object; the decisions are the core's.
 *
 * <p>A stage that has state to write before the response commits registers it with
 * {@link Exchange#beforeCommit(Runnable)}.
 */
abstract class Stage {
  // A class, not an interface: the pipeline calls handle on one call site for every stage, and a
  // virtual call there is a table lookup where an interface call is a search.
  abstract void handle(Exchange exchange, Next next) throws IOException, ServletException;

  /**
   * Whether the stage acts only on {@code POST} requests, passing every other request straight on: the pipeline then
   * leaves it out of the requests of other methods.
   */
  boolean onlyForPost() {
    return false;
  }

  /** The rest of the pipeline, ending in the application. */
  @FunctionalInterface
  interface Next {
    void proceed() throws IOException, ServletException;
  }
}
