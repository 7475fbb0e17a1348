package dev.portcullis.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One request on its way through the pipeline: the wrapped request and response and what the stages found out. The
 * request wrapper answers the application's questions (session, principal) from here.
 */
final class Exchange {
  static final String ATTRIBUTE = Exchange.class.getName();

  private final PortcullisRequest request;
  private final PortcullisResponse response;
  private final List<Runnable> beforeCommit = new CopyOnWriteArrayList<>();
  private volatile SessionState sessions = SessionState.NONE;

  Exchange(HttpServletRequest request, HttpServletResponse response) {
    this.response = new PortcullisResponse(response, this);
    this.request = new PortcullisRequest(request, this);
  }

  PortcullisRequest request() {
    return request;
  }

  PortcullisResponse response() {
    return response;
  }

  SessionState sessions() {
    return sessions;
  }

  void sessions(SessionState sessions) {
    this.sessions = sessions;
  }

  /** Registers work (cookies, session state) that must happen before the response commits. Must be idempotent. */
  void beforeCommit(Runnable hook) {
    beforeCommit.add(hook);
  }

  /** Runs the registered hooks, in pipeline order. Called whenever a commit may be imminent, possibly often. */
  void committing() {
    for (Runnable hook : beforeCommit) {
      hook.run();
    }
  }

  /** The response's headers were reset: cookies written so far are gone. */
  void headersReset() {
    sessions.headersReset();
  }
}
