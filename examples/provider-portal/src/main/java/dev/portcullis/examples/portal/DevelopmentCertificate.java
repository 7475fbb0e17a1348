package dev.portcullis.examples.portal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The development TLS identity: a self-signed certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}
 * (EC P-256), made with Bouncy Castle on first start and kept in the data folder as a PKCS12 key store, with its
 * random password in a file beside it and the certificate as PEM for anyone who wants to trust it. Reused until it
 * is within a week of expiry, then replaced.
 *
 * <p><b>Security.</b> For a developer's machine only: browsers warn about it, and they should. A key store that
 * exists but can't be opened stops the start-up; it is never silently replaced.
 */
final class DevelopmentCertificate {
  static final String KEY_STORE = "dev-tls.p12";
  static final String PASSWORD_FILE = "dev-tls.password";
  static final String CERTIFICATE_PEM = "dev-tls.crt";
  static final String ALIAS = "portal";
  static final Duration VALIDITY = Duration.ofDays(365);
  static final Duration RENEW_BEFORE = Duration.ofDays(7);

  private static final Logger log = LoggerFactory.getLogger(DevelopmentCertificate.class);

  private final KeyStore keyStore;
  private final char[] password;

  private DevelopmentCertificate(KeyStore keyStore, char[] password) {
    this.keyStore = keyStore;
    this.password = password;
  }

  KeyStore keyStore() {
    return keyStore;
  }

  /** The password of the key store and of its one key entry. */
  char[] password() {
    return password.clone();
  }

  X509Certificate certificate() throws GeneralSecurityException {
    return (X509Certificate) keyStore.getCertificate(ALIAS);
  }

  /** The certificate in the data folder, made now if there is none or it is (nearly) expired. */
  static DevelopmentCertificate loadOrCreate(Path dataDir, InstantSource clock, SecureRandom random)
      throws IOException, GeneralSecurityException {
    Path store = dataDir.resolve(KEY_STORE);
    Path passwordFile = dataDir.resolve(PASSWORD_FILE);
    Instant now = clock.instant();
    if (Files.exists(store)) {
      DevelopmentCertificate existing = open(store, passwordFile);
      X509Certificate cert = existing.certificate();
      if (cert != null && cert.getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE))) {
        return existing;
      }
      log.info(
          "The development certificate in {} expires soon or has expired: making a new one", store);
    }
    DevelopmentCertificate made = create(now, random);
    writeOwnerOnly(passwordFile, new String(made.password).getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    made.keyStore.store(bytes, made.password);
    writeOwnerOnly(store, bytes.toByteArray());
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
      w.writeObject(made.certificate());
    }
    Files.writeString(dataDir.resolve(CERTIFICATE_PEM), pem.toString(), StandardCharsets.US_ASCII);
    log.warn(
        "Created a self-signed DEVELOPMENT certificate for localhost in {}; browsers will warn about it."
            + " Production needs a real certificate.",
        store);
    return made;
  }

  private static DevelopmentCertificate open(Path store, Path passwordFile) throws IOException {
    try {
      char[] password =
          Files.readString(passwordFile, StandardCharsets.UTF_8).trim().toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, password);
      }
      if (!ks.isKeyEntry(ALIAS)) {
        throw new IOException("no key entry '" + ALIAS + "'");
      }
      return new DevelopmentCertificate(ks, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new IOException(
          "cannot open the development certificate " + store + " with " + passwordFile + " ("
              + e.getClass().getSimpleName() + "). Delete both files to have new ones made.",
          e);
    }
  }

  static DevelopmentCertificate create(Instant now, SecureRandom random)
      throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPair pair = generator.generateKeyPair();
    X500Name name = new X500Name("CN=localhost, O=Portcullis example portal (development only)");
    byte[] serial = new byte[16];
    random.nextBytes(serial);
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        name,
        new BigInteger(1, serial).setBit(0),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(VALIDITY)),
        name,
        pair.getPublic());
    try {
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
          .addExtension(
              Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")
              }))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate cert = new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
              .setSecureRandom(random)
              .build(pair.getPrivate())));
      byte[] secret = new byte[24];
      random.nextBytes(secret);
      char[] password =
          Base64.getUrlEncoder().withoutPadding().encodeToString(secret).toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(ALIAS, pair.getPrivate(), password, new Certificate[] {cert});
      return new DevelopmentCertificate(ks, password);
    } catch (IOException | OperatorCreationException e) {
      throw new GeneralSecurityException("could not make the development certificate", e);
    }
  }

  private static Path temp(Path file) {
    return file.resolveSibling(file.getFileName() + ".tmp");
  }

  private static void writeOwnerOnly(Path file, byte[] content) throws IOException {
    Path tmp = temp(file);
    Files.deleteIfExists(tmp);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(tmp);
    }
    Files.write(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
