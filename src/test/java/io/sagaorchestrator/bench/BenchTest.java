package io.sagaorchestrator.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The bench end to end with a tiny load: its own node, real HTTP, the audit, and the report files. */
class BenchTest {

  /** stream: orders are seen to end on the node's outcome stream; poll: by long polls alone. */
  @ParameterizedTest
  @ValueSource(strings = {"stream", "poll"})
  void runsItsOwnNodeAndWritesAReportWithAPassingAudit(String follow, @TempDir Path reportDir) throws Exception {
    StringWriter output = new StringWriter();
    int exit = new CommandLine(new BenchCommand()).setOut(new PrintWriter(output)).setErr(new PrintWriter(output)).execute(
        "--orders", "200", "--concurrency", "16", "--warmup", "20", "--customers", "5", "--skus", "5",
        "--compensate-share", "0.2", "--limit-seconds", "0.5", "--follow", follow, "--report-dir", reportDir.toString());
    assertEquals(0, exit, output.toString());

    JsonNode report = new ObjectMapper().readTree(reportDir.resolve("report.json").toFile());
    assertTrue(report.get("audit").get("ok").asBoolean(), report.get("audit").toString());
    assertTrue(report.get("sagasPerSecond").asDouble() > 0, output.toString());
    assertTrue(report.get("latencyMs").get("p99").asDouble() > 0, report.get("latencyMs").toString());
    for (String status : new String[] {"COMPLETED", "CANCELLED"}) {
      assertTrue(report.get("latencyMsByStatus").path(status).path("p99").asDouble() > 0, report.get("latencyMsByStatus").toString());
    }
    assertTrue(report.get("acceptLatencyMs").get("p50").asDouble() > 0, report.get("acceptLatencyMs").toString());
    assertTrue(report.get("journalEventsPerSecond").asDouble() > 0, output.toString());
    assertTrue(report.get("journalLimitEventsPerSecond").get("singleRow").asDouble() > 0, output.toString());
    assertTrue(report.get("journalLimitEventsPerSecond").get("batched").asDouble() > 0, output.toString());
    assertTrue(report.get("heapAfterGcBytes").asLong() > 0, output.toString());
    assertTrue(report.get("cpuMsPerSaga").asDouble() > 0, output.toString());
    JsonNode jvm = report.get("jvm");
    assertEquals(Runtime.getRuntime().availableProcessors(), jvm.get("cores").asInt(), jvm.toString());
    assertTrue(jvm.get("garbageCollectors").size() > 0 && jvm.get("maxHeapBytes").asLong() > 0, jvm.toString());
    JsonNode outcomes = report.get("outcomes").get("byStatus");
    assertEquals(200, outcomes.path("COMPLETED").asLong() + outcomes.path("CANCELLED").asLong(), outcomes.toString());
    assertTrue(outcomes.path("CANCELLED").asLong() > 0, outcomes.toString());
    assertEquals(0, report.get("outcomes").get("unexpected").asLong(), output.toString());
    long streamed = report.get("outcomes").get("streamed").asLong();
    long follows = report.get("outcomes").get("follows").asLong();
    if (follow.equals("stream")) {
      // An order is long-polled only when the stream has not shown it ended within 5 s.
      assertTrue(streamed > 0 && streamed + follows >= 200, report.get("outcomes").toString());
    } else {
      assertTrue(streamed == 0 && follows >= 200, report.get("outcomes").toString());
    }
    assertTrue(Files.readString(reportDir.resolve("report.svg")).startsWith("<svg"));
    assertTrue(output.toString().contains("sagas/s"), output.toString());
  }

  /** The trip saga of conf/examples/trip.conf against booking services in this JVM: a fifth ask for the car the rental refuses. */
  @Test
  void runsTripSagasAgainstLoopbackParticipantServersAndCompensatesTheRefusedCars(@TempDir Path reportDir) throws Exception {
    StringWriter output = new StringWriter();
    int exit = new CommandLine(new BenchCommand()).setOut(new PrintWriter(output)).setErr(new PrintWriter(output)).execute(
        "--saga", "trip", "--orders", "200", "--concurrency", "32", "--warmup", "20", "--compensate-share", "0.2",
        "--limit-seconds", "0", "--report-dir", reportDir.toString());
    assertEquals(0, exit, output.toString());

    JsonNode report = new ObjectMapper().readTree(reportDir.resolve("report.json").toFile());
    assertTrue(report.get("audit").get("ok").asBoolean(), report.get("audit").toString());
    assertEquals(200, report.get("audit").get("sagas").path("COMPLETED").asLong() + report.get("audit").get("sagas").path("COMPENSATED").asLong(),
        report.get("audit").toString());
    assertEquals("trip", report.get("setup").get("saga").asText());
    assertTrue(report.get("sagasPerSecond").asDouble() > 0, output.toString());
    JsonNode outcomes = report.get("outcomes").get("byStatus");
    assertEquals(200, outcomes.path("COMPLETED").asLong() + outcomes.path("COMPENSATED").asLong(), outcomes.toString());
    assertTrue(outcomes.path("COMPENSATED").asLong() > 0, outcomes.toString());
    assertEquals(0, report.get("outcomes").get("unexpected").asLong(), output.toString());
    assertTrue(report.get("outcomes").get("follows").asLong() >= 200, report.get("outcomes").toString());
    assertTrue(report.get("latencyMsByStatus").path("COMPENSATED").path("p99").asDouble() > 0, report.get("latencyMsByStatus").toString());
    assertTrue(output.toString().contains("GET /sagas/{id}?waitMs="), output.toString());
  }

  /** A warm-up that leaves nothing to measure; a follow wait so short it would poll in a tight loop; an unknown way to follow. */
  @ParameterizedTest
  @CsvSource({"--warmup, 10", "--wait-ms, 0", "--follow, sideways", "--saga, cruise"})
  void refusesOptionsThatCannotMeasure(String option, String value) {
    StringWriter output = new StringWriter();
    int exit = new CommandLine(new BenchCommand()).setOut(new PrintWriter(output)).setErr(new PrintWriter(output))
        .execute("--orders", "10", option, value);
    assertEquals(2, exit, output.toString());
    assertTrue(output.toString().contains(option), output.toString());
  }
}
