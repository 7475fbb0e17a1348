package com.example.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyTool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's key tool command with the published core jar as the only thing on the class path: a key file made,
 * a key added, listed, and printed as the key-ring variable's value, which reads back to the same ring.
 */
class KeyToolTest {
  @TempDir Path dir;

  private record Run(int status, String out, String err) {}

  private Run keyTool(String... args) throws Exception {
    Path coreJar = Path.of(KeyTool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(coreJar.getFileName().toString().startsWith("portcullis-core-"), coreJar.toString());
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", coreJar.toString(),
        "dev.portcullis.crypto.KeyTool"));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the key tool ended");
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void everyCommand_runsFromThePublishedCoreJarAlone() throws Exception {
    String keys = dir.resolve("keys.txt").toString();
    Run created = keyTool("create", keys);
    assertEquals(0, created.status(), created.err());
    Run added = keyTool("add", keys);
    assertEquals(0, added.status(), added.err());
    Run listed = keyTool("list", keys);
    assertEquals(0, listed.status(), listed.err());
    assertTrue(listed.out().contains("ACTIVE") && listed.out().contains("DECRYPT_ONLY"), listed.out());
    Run env = keyTool("env", keys);
    assertEquals(0, env.status(), env.err());
    assertEquals(KeyRingSources.fromFile(Path.of(keys)).keys(),
        KeyRingSources.fromEnvironment(Map.of(KeyRingSources.ENV_VARIABLE, env.out().strip())).keys());
  }
}
