package com.example.portal;

import dev.portcullis.audit.AuditSink;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.servlet.Portcullis;
import dev.portcullis.transport.TransportConfig;
import dev.portcullis.user.UserDirectory;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.nio.file.Path;

/** Portcullis in front of the portal, exactly as the README's plain-servlet quick start writes it. */
public final class PortalSecurity {
  private PortalSecurity() {}

  /** Call while the context starts: a ServletContainerInitializer, a @WebListener, or embedded Jetty before start. */
  public static void install(ServletContext context, UserDirectory users, Path dataDir) throws IOException {
    KeyRing keys = KeyRingSources.fromFile(dataDir.resolve("keys.txt")); // KeyTool create; there is no default key
    Portcullis.builder()
        .keyRing(keys)
        .users(users)                                                       // your accounts
        .termsVersion("2026-01")                                            // logging in accepts these terms
        .auditSink(AuditSink.hashChained(dataDir.resolve("audit.jsonl"), keys)) // + keyed audit.jsonl.checkpoints
        .transport(TransportConfig.builder().canonicalHost("portal.example") // plain GET: 308 to https://portal.example
            .trustedProxies("127.0.0.1").build())                           // the TLS-terminating proxy on this host
        .requirePublic("/privacy")                                          // public, with /login and /terms
        .build()
        .register(context);          // the filter on /*, REQUEST dispatch; closed when the context shuts down
  }
}
