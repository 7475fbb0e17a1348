package dev.portcullis.examples.war;

import dev.portcullis.testing.TestTls;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.Test;

/** The example WAR on embedded Tomcat 11: Tomcat finds the web fragment and the initializer in WEB-INF/lib. */
class TomcatWarIT extends WarPortalScenario {
  /** Servlets the deployment maps beside the WAR's own pages. */
  private Consumer<Context> deploymentServlets = context -> {};

  @Override
  DeployedWar deploy(Path war, Path workDir) throws Exception {
    return deploy(war, workDir, null);
  }

  /** With an HTTPS connector as {@code server.xml} declares one: NIO, the certificate from a PKCS12 file. */
  @Override
  DeployedWar deployOverTls(Path war, Path workDir, TestTls tls) throws Exception {
    return deploy(war, workDir, tls);
  }

  private DeployedWar deploy(Path war, Path workDir, TestTls tls) throws Exception {
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
    Connector https = tls == null ? null : httpsConnector(tls);
    if (https != null) {
      tomcat.getService().addConnector(https);
    }
    tomcat.start();
    return new DeployedWar() {
      @Override
      public URI uri() {
        return URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/");
      }

      @Override
      public int httpsPort() {
        return https == null ? -1 : https.getLocalPort();
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

  private static Connector httpsConnector(TestTls tls) {
    Connector https = new Connector("HTTP/1.1");
    https.setPort(0);
    https.setProperty("address", "127.0.0.1");
    https.setScheme("https");
    https.setSecure(true);
    https.setProperty("SSLEnabled", "true");
    SSLHostConfig ssl = new SSLHostConfig();
    SSLHostConfigCertificate certificate =
        new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.UNDEFINED);
    certificate.setCertificateKeystoreFile(tls.keyStore().toString());
    certificate.setCertificateKeystorePassword(TestTls.PASSWORD);
    certificate.setCertificateKeystoreType("PKCS12");
    ssl.addCertificate(certificate);
    https.addSslHostConfig(ssl);
    return https;
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
