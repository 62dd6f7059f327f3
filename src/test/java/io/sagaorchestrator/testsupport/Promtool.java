package io.sagaorchestrator.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus' own command-line tool, to read an exposition as Prometheus would: from
 * {@code SAGA_TEST_PROMTOOL}, else {@code promtool} on the PATH. {@code .ci/run} unpacks it from
 * Debian's prometheus package; where it is missing the test is skipped with a message.
 */
public final class Promtool {
  public record Result(int exitCode, String output) {}

  private Promtool() {}

  public static Result checkMetrics(String exposition) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(binary(), "check", "metrics").redirectErrorStream(true).start();
    try (var in = process.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("promtool did not finish");
    }
    return new Result(process.exitValue(), output);
  }

  private static String binary() {
    String configured = System.getenv("SAGA_TEST_PROMTOOL");
    if (configured != null && Files.isExecutable(Path.of(configured))) return configured;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir, "promtool");
      if (Files.isExecutable(candidate)) return candidate.toString();
    }
    Assumptions.abort("promtool not found (SAGA_TEST_PROMTOOL or PATH): skipping the Prometheus format check; "
        + ".ci/run unpacks it from Debian's prometheus package");
    throw new IllegalStateException("unreachable");
  }
}
