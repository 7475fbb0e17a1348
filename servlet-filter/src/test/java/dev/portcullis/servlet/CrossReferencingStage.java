package dev.portcullis.servlet;

import jakarta.servlet.ServletException;
import java.io.IOException;

/**
 * What {@link StageIndependenceTest} must catch: a stage that holds another stage and calls it, and that reads
 * another stage's constant.
 */
final class CrossReferencingStage extends Stage {
  private final CsrfStage csrf;

  CrossReferencingStage(CsrfStage csrf) {
    this.csrf = csrf;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws IOException, ServletException {
    if (exchange.method().isEmpty()) {
      Pages.plain(exchange.response(), 400, CookieCheckStage.COOKIES_BLOCKED);
      return;
    }
    csrf.handle(exchange, next);
  }
}
