package io.sagaorchestrator.testsupport;

import io.sagaorchestrator.client.NodeClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A node as a user runs it: its own JVM, started from the built jar, stopped by a signal. */
public final class NodeProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeProcess.class);
  public static final String ADMIN_TOKEN = "it-admin-token";

  private final Path workDir;
  private final Path log;
  private final int httpPort;
  private final int remotePort;
  private final Map<String, String> env;
  private final List<String> jvmOptions = new ArrayList<>();
  private Process process;

  public NodeProcess(Path workDir, String name, Map<String, String> extraEnv) {
    this(workDir, name, freePort(), freePort(), extraEnv);
  }

  public NodeProcess(Path workDir, String name, int httpPort, int remotePort, Map<String, String> extraEnv) {
    this.workDir = workDir;
    // Logs stay under target/ after the work directory is removed, for a failed test's post-mortem.
    this.log = Path.of("target", "it-logs", workDir.getFileName() + "-" + name + ".log").toAbsolutePath();
    try {
      Files.createDirectories(log.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.httpPort = httpPort;
    this.remotePort = remotePort;
    this.env = new HashMap<>(extraEnv);
  }

  public static Path jar() {
    Path jar = Path.of(System.getProperty("saga.jar", "target/saga-orchestrator.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) throw new IllegalStateException("build the jar first (mvn package): " + jar);
    return jar;
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int httpPort() {
    return httpPort;
  }

  public int remotePort() {
    return remotePort;
  }

  /** Extra JVM options, e.g. -D settings a test needs shorter than in production. */
  public NodeProcess withJvmOptions(String... options) {
    jvmOptions.addAll(List.of(options));
    return this;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public NodeClient api() {
    return NodeClient.onLoopback(httpPort, ADMIN_TOKEN);
  }

  public NodeProcess start() {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:TieredStopAtLevel=1"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar().toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("SAGA_HTTP_PORT", Integer.toString(httpPort));
    builder.environment().put("SAGA_REMOTE_PORT", Integer.toString(remotePort));
    builder.environment().put("SAGA_ADMIN_TOKEN", ADMIN_TOKEN);
    builder.environment().putAll(env);
    try {
      process = builder.start();
      LOG.info("node started on http port {} (remote {}), its log: {}", httpPort, remotePort, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Waits until /health/ready answers 200. */
  public NodeProcess awaitReady(Duration deadline) {
    HttpClient http = HttpClient.newHttpClient();
    Eventually.within(deadline, () -> {
      if (!process.isAlive()) throw new IllegalStateException("node exited with " + process.exitValue() + "; see " + log);
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) throw new AssertionError("not ready: " + response.body());
    });
    return this;
  }

  /** SIGTERM: coordinated shutdown. Returns the exit code. */
  public int terminate(Duration deadline) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("node did not stop within " + deadline + " after SIGTERM; see " + log);
    }
    return process.exitValue();
  }

  /** SIGKILL: the JVM gets no chance to flush or leave. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) kill();
  }
}
