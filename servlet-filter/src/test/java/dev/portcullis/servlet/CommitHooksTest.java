package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pass through the stages and the hooks they register before the commit, through the filter: every stage in order,
 * then the application, then every hook in the order it was registered, however many there are.
 */
class CommitHooksTest {
  private final InMemoryHttp.Request request = new InMemoryHttp.Request();
  private final InMemoryHttp.Response response = new InMemoryHttp.Response();

  @Test
  void sevenStagesWithAHookEach_runInOrder_thenTheApplication_thenEveryHookOnce() throws Exception {
    List<String> ran = new ArrayList<>();
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      stages.add(new Recording(i, ran));
    }
    PortcullisFilter filter = new PortcullisFilter(stages);
    request.next("GET", "/page");
    filter.doFilter(request, response, (req, res) -> ran.add("application"));

    assertThat(ran)
        .containsExactly(
            "stage 0",
            "stage 1",
            "stage 2",
            "stage 3",
            "stage 4",
            "stage 5",
            "stage 6",
            "application",
            "hook 0",
            "hook 1",
            "hook 2",
            "hook 3",
            "hook 4",
            "hook 5",
            "hook 6");
  }

  @Test
  void aStageThatAnswersItself_endsThePass_andOnlyTheHooksSoFarRun() throws Exception {
    List<String> ran = new ArrayList<>();
    List<Stage> stages = new ArrayList<>(List.of(new Recording(0, ran), new Recording(1, ran)));
    stages.add(new Stage() {
      @Override
      void handle(Exchange exchange, Next next) {
        ran.add("answered");
      }
    });
    stages.add(new Recording(3, ran));
    PortcullisFilter filter = new PortcullisFilter(stages);
    request.next("GET", "/page");
    filter.doFilter(request, response, (req, res) -> ran.add("application"));

    assertThat(ran).containsExactly("stage 0", "stage 1", "answered", "hook 0", "hook 1");
  }

  /** Records that it ran, registers a hook that records that it ran, and passes the request on. */
  private static final class Recording extends Stage {
    private final int index;
    private final List<String> ran;

    Recording(int index, List<String> ran) {
      this.index = index;
      this.ran = ran;
    }

    @Override
    void handle(Exchange exchange, Next next) throws IOException, ServletException {
      ran.add("stage " + index);
      exchange.beforeCommit(() -> ran.add("hook " + index));
      next.proceed();
    }
  }
}
