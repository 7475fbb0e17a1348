package dev.portcullis.examples.war;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.Test;

/** The example WAR on embedded Tomcat 11: Tomcat finds the web fragment and the initializer in WEB-INF/lib. */
class TomcatWarIT extends WarPortalScenario {
  /** Servlets the deployment maps beside the WAR's own pages. */
  private Consumer<Context> deploymentServlets = context -> {};

  @Override
  DeployedWar deploy(Path war, Path workDir) throws Exception {
    Tomcat tomcat = new Tomcat();
    Path base = workDir.resolve("tomcat");
    Files.createDirectories(base.resolve("webapps"));
    tomcat.setBaseDir(base.toString());
    tomcat.setHostname("127.0.0.1");
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    // Tomcat's own conf/web.xml, less the JSP servlet (no Jasper here): the default servlet mapped
    // to "/". Without a servlet for a URL, Tomcat answers 404 before any filter runs, so POST
    // /logout would never reach Portcullis.
    tomcat.setAddDefaultWebXmlToWebapp(false);
    Context context = tomcat.addWebapp("", war.toString());
    Tomcat.addServlet(context, "default", "org.apache.catalina.servlets.DefaultServlet")
        .setLoadOnStartup(1);
    context.addServletMappingDecoded("/", "default");
    // Only the WAR's own jars are scanned, not the test class path.
    StandardJarScanner scanner = new StandardJarScanner();
    scanner.setScanClassPath(false);
    context.setJarScanner(scanner);
    deploymentServlets.accept(context);
    tomcat.start();
    return new DeployedWar() {
      @Override
      public URI uri() {
        return URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/");
      }

      @Override
      public void redeploy() throws Exception {
        context.stop();
        context.start();
      }

      @Override
      public void stopContext() throws Exception {
        context.stop();
      }

      @Override
      public boolean running() {
        return context.getState() == LifecycleState.STARTED;
      }

      @Override
      public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
      }
    };
  }

  /**
   * Servlets mapped by extension ({@code *.do}) and by prefix ({@code /x/*}) beside the WAR's pages: no spelling that
   * Tomcat maps to them ({@link MappedServlets#SPELLINGS}) reaches them without a login; with one they answer.
   */
  @Test
  void servletsMappedByExtensionAndPrefix_answerNoSpellingWithoutALogin() throws Exception {
    deploymentServlets = context -> {
      Tomcat.addServlet(context, "actions", new MappedServlets.ProtectedPage("action"));
      context.addServletMappingDecoded(MappedServlets.ACTIONS, "actions");
      Tomcat.addServlet(context, "files", new MappedServlets.ProtectedPage("file"));
      context.addServletMappingDecoded(MappedServlets.FILES, "files");
    };
    war = deployBuiltWar();
    assertMappedServletsNeedALogin();
  }
}
