package io.sagaorchestrator.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sagaorchestrator.client.AuditResult;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.infra.config.JvmRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.HdrHistogram.Histogram;

/** The bench's result: {@code report.json}, the chart {@code report.svg}, and the summary table. */
@JsonInclude(JsonInclude.Include.ALWAYS)
record BenchReport(
    String startedAt,
    Setup setup,
    JvmRuntime jvm,
    double sagasPerSecond,
    double measuredWindowSeconds,
    long measuredSagas,
    Latency latencyMs,
    Map<Outcome, Latency> latencyMsByStatus,
    Accept acceptLatencyMs,
    Latency latencySinceAcceptMs,
    AtCapacity atCapacity,
    Double journalEventsPerSecond,
    Double journalEventsPerSaga,
    Limit journalLimitEventsPerSecond,
    Ratio journalToLimitRatio,
    Long heapAfterGcBytes,
    Double cpuMsPerSaga,
    ReadSideLag readSideLagMs,
    Outcomes outcomes,
    Audit audit,
    List<Tick> timeline) {

  /** {@code saga}: the definition started with POST /sagas; absent for orders. */
  record Setup(int orders, int warmup, int concurrency, double compensateShare, int customers, int skus,
      double failureRate, double timeoutRate, long latencyMs, long followWaitMs, String following, String target,
      @JsonInclude(JsonInclude.Include.NON_NULL) String saga) {}

  record Latency(double p50, double p95, double p99, double max, double mean) {
    static Latency of(Histogram micros) {
      return new Latency(ms(micros, 50), ms(micros, 95), ms(micros, 99), micros.getTotalCount() == 0 ? 0 : micros.getMaxValue() / 1000.0,
          micros.getTotalCount() == 0 ? 0 : micros.getMean() / 1000.0);
    }

    String describe() {
      return String.format(Locale.ROOT, "p50 %,.0f ms  p95 %,.0f ms  p99 %,.0f ms  max %,.0f ms", p50, p95, p99, max);
    }

    static Map<Outcome, Latency> byOutcome(Map<Outcome, Histogram> micros) {
      Map<Outcome, Latency> latencies = new EnumMap<>(Outcome.class);
      micros.forEach((outcome, histogram) -> latencies.put(outcome, of(histogram)));
      return latencies;
    }
  }

  record Accept(double p50, double p99, double max) {
    static Accept of(Histogram micros) {
      return new Accept(ms(micros, 50), ms(micros, 99), micros.getTotalCount() == 0 ? 0 : micros.getMaxValue() / 1000.0);
    }
  }

  record Limit(String database, Double singleRow, Double batched, Double parallelSingleRow, Integer parallelWriters,
      Integer batchRows, Double secondsEach) {}

  record Ratio(Double singleRow, Double batched) {}

  /** The first node's GET /admin/read-side: journal write to read-side commit, since that node started. */
  record ReadSideLag(long p50, long p99, long max, long groups) {
    /** Absent when the node keeps no read side or does not answer. */
    static ReadSideLag from(NodeClient.Response readSide) {
      if (readSide.status() != 200 || !readSide.json().path("enabled").asBoolean()) return null;
      JsonNode lag = readSide.json().path("lagMillis");
      return new ReadSideLag(lag.path("p50").asLong(), lag.path("p99").asLong(), lag.path("max").asLong(), lag.path("groups").asLong());
    }
  }

  /** {@code streamed}: ends seen on an outcome stream; {@code follows}: long polls sent. */
  /** Placements answered 429, and their share of all placement answers. */
  record AtCapacity(long answers, double shareOfPlacements) {}

  record Outcomes(Map<Outcome, Long> byStatus, long unexpected, long unfinished, long refused, long httpErrors, long follows,
      double followsPerSecond, long streamed) {}

  record Audit(boolean ok, long violationCount, List<String> violations, Long durationMs, Long eventsRead,
      JsonNode orders, JsonNode sagas, JsonNode eventsByEntity) {}

  /**
   * {@code journalKind}: the journal whose limit was to be measured, named even when it was not;
   * {@code limit} and {@code heap} are absent when not measured.
   */
  static BenchReport of(Instant startedAt, Setup setup, JvmRuntime jvm, String journalKind, JournalLimit.Result limit, LoadResult load,
      AuditResult audit, OptionalLong heap, ReadSideLag readSideLag) {
    Double eventsPerSecond = null;
    Double eventsPerSaga = null;
    if (load.journalRowsAtWindowStart().isPresent() && load.journalRowsAtWindowEnd().isPresent()) {
      long rows = load.journalRowsAtWindowEnd().getAsLong() - load.journalRowsAtWindowStart().getAsLong();
      eventsPerSecond = rows / load.windowSeconds();
      eventsPerSaga = load.terminalInWindow() == 0 ? null : (double) rows / load.terminalInWindow();
    }
    Limit limits = limit == null ? new Limit(journalKind, null, null, null, null, null, null)
        : new Limit(limit.kind(), limit.singleRow(), limit.batched(), limit.parallelSingleRow(), limit.parallelWriters(),
            JournalLimit.BATCH_ROWS, limit.secondsEach());
    Ratio ratio = eventsPerSecond == null || limit == null ? null
        : new Ratio(eventsPerSecond / limit.singleRow(), eventsPerSecond / limit.batched());
    JsonNode json = audit.json();
    Audit auditPart = new Audit(audit.ok(), audit.httpStatus() == 200 ? audit.violationCount() : -1,
        audit.httpStatus() == 200 ? audit.violations() : List.of("audit could not run: HTTP " + audit.httpStatus() + " " + audit.rawBody()),
        json.has("durationMs") ? json.get("durationMs").asLong() : null, json.has("eventsRead") ? json.get("eventsRead").asLong() : null,
        json.get("orders"), json.get("sagas"), json.get("eventsByEntity"));
    return new BenchReport(
        startedAt.toString(),
        setup,
        jvm,
        load.sagasPerSecond(),
        load.windowSeconds(),
        load.terminalInWindow(),
        Latency.of(load.latencyMicros()),
        Latency.byOutcome(load.latencyMicrosByOutcome()),
        Accept.of(load.acceptMicros()),
        Latency.of(load.sinceAcceptMicros()),
        new AtCapacity(load.atCapacityAnswers(), load.atCapacityAnswers() / (double) Math.max(1, load.atCapacityAnswers() + load.placed())),
        eventsPerSecond,
        eventsPerSaga,
        limits,
        ratio,
        heap.isPresent() ? heap.getAsLong() : null,
        load.terminalInWindow() == 0 ? null : load.cpuSecondsInWindow() * 1000 / load.terminalInWindow(),
        readSideLag,
        new Outcomes(load.outcomes(), load.unexpectedOutcomes(), load.unfinished(), load.rejectedPlacements(), load.httpErrors(),
            load.follows(), load.follows() / Math.max(1e-9, load.runSeconds()), load.streamed()),
        auditPart,
        load.timeline());
  }

  private static double ms(Histogram micros, double percentile) {
    return micros.getTotalCount() == 0 ? 0 : micros.getValueAtPercentile(percentile) / 1000.0;
  }

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  void write(Path directory) throws IOException {
    Files.createDirectories(directory);
    MAPPER.writeValue(directory.resolve("report.json").toFile(), this);
    Files.writeString(directory.resolve("report.svg"), new ReportChart(this).svg(), StandardCharsets.UTF_8);
  }

  // ---- the summary table ----------------------------------------------------------------

  String summary() {
    StringBuilder text = new StringBuilder();
    row(text, "sagas/s (measured window)", String.format(Locale.ROOT, "%,.0f  (%,d sagas in %.1f s, after %,d warm-up %s)",
        sagasPerSecond, measuredSagas, measuredWindowSeconds, setup.warmup(), setup.saga() == null ? "orders" : "sagas"));
    row(text, "latency place→terminal", latencyMs.describe());
    latencyMsByStatus.forEach((status, latency) -> row(text, "  of " + status, latency.describe()));
    row(text, "latency accepted→terminal", latencySinceAcceptMs.describe());
    row(text, "HTTP accept latency", String.format(Locale.ROOT, "p50 %,.1f ms  p99 %,.1f ms  max %,.0f ms",
        acceptLatencyMs.p50(), acceptLatencyMs.p99(), acceptLatencyMs.max()));
    row(text, "429 at capacity", String.format(Locale.ROOT, "%,d answers  (%.1f %% of placement answers; each placed again)",
        atCapacity.answers(), atCapacity.shareOfPlacements() * 100));
    row(text, "outcomes", outcomeText());
    row(text, "journal events written/s", journalEventsPerSecond == null ? "n/a (the bench cannot see a remote node's journal)"
        : String.format(Locale.ROOT, "%,.0f  (%.1f events per saga)", journalEventsPerSecond, journalEventsPerSaga));
    if (journalLimitEventsPerSecond != null && journalLimitEventsPerSecond.batched() != null) {
      Limit limit = journalLimitEventsPerSecond;
      row(text, "journal raw write limit", String.format(Locale.ROOT,
          "%s: single-row %,.0f/s  batched(%d) %,.0f/s  %d writers single-row %,.0f/s", limit.database(), limit.singleRow(),
          limit.batchRows(), limit.batched(), limit.parallelWriters(), limit.parallelSingleRow()));
      row(text, "journal events/s vs limit", journalToLimitRatio == null || journalToLimitRatio.batched() == null ? "n/a"
          : String.format(Locale.ROOT, "%.0f %% of batched, %.0f %% of single-row",
              journalToLimitRatio.batched() * 100, journalToLimitRatio.singleRow() * 100));
    } else {
      row(text, "journal raw write limit", "not measured");
    }
    row(text, "CPU per saga", cpuMsPerSaga == null ? "n/a" : String.format(Locale.ROOT, "%.2f ms  (%s, measured window)", cpuMsPerSaga,
        heapAfterGcBytes == null ? "the bench client only" : "node and bench client"));
    row(text, "heap after GC", heapAfterGcBytes == null ? "n/a (remote node)"
        : String.format(Locale.ROOT, "%,.1f MiB (node idle; node and bench share this JVM)", heapAfterGcBytes / 1048576.0));
    row(text, "read-side lag", readSideLagMs == null ? "n/a (no read side)" : String.format(Locale.ROOT,
        "p50 %,d ms  p99 %,d ms  max %,d ms  (journal write to row committed, %,d groups since the node started)",
        readSideLagMs.p50(), readSideLagMs.p99(), readSideLagMs.max(), readSideLagMs.groups()));
    row(text, "JVM", jvm.describe() + (heapAfterGcBytes == null ? "  (the bench client's)" : ""));
    row(text, "audit", audit.ok() ? String.format(Locale.ROOT, "ok  (%,d events read in %,d ms)", audit.eventsRead(), audit.durationMs())
        : "FAILED: " + audit.violationCount() + " violation(s)");
    for (int i = 0; i < Math.min(10, audit.violations().size()); i++) text.append("      - ").append(audit.violations().get(i)).append('\n');
    return text.toString();
  }

  private String outcomeText() {
    StringBuilder text = new StringBuilder();
    outcomes.byStatus().forEach((status, n) -> text.append(status).append(' ').append(String.format(Locale.ROOT, "%,d", n)).append("  "));
    text.append(String.format(Locale.ROOT, "(unexpected %d, refused %d, http errors %d, streamed %,d, follow requests %,d = %,.0f/s)",
        outcomes.unexpected(), outcomes.refused(), outcomes.httpErrors(), outcomes.streamed(), outcomes.follows(), outcomes.followsPerSecond()));
    return text.toString();
  }

  private static void row(StringBuilder text, String name, String value) {
    text.append(String.format(Locale.ROOT, "  %-28s %s%n", name, value));
  }
}
