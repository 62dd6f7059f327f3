package io.sagaorchestrator.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sagaorchestrator.infra.config.JvmRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
    Map<String, Latency> latencyMsByStatus,
    Accept acceptLatencyMs,
    Double journalEventsPerSecond,
    Double journalEventsPerSaga,
    Limit journalLimitEventsPerSecond,
    Ratio journalToLimitRatio,
    Long heapAfterGcBytes,
    Double cpuMsPerSaga,
    Outcomes outcomes,
    Audit audit,
    List<LoadRun.Tick> timeline) {

  record Setup(int orders, int warmup, int concurrency, double compensateShare, int customers, int skus,
      double failureRate, double timeoutRate, long latencyMs, long followWaitMs, String following, String target) {}

  record Latency(double p50, double p95, double p99, double max, double mean) {
    static Latency of(Histogram micros) {
      return new Latency(ms(micros, 50), ms(micros, 95), ms(micros, 99), micros.getTotalCount() == 0 ? 0 : micros.getMaxValue() / 1000.0,
          micros.getTotalCount() == 0 ? 0 : micros.getMean() / 1000.0);
    }

    String describe() {
      return String.format(Locale.ROOT, "p50 %,.0f ms  p95 %,.0f ms  p99 %,.0f ms  max %,.0f ms", p50, p95, p99, max);
    }

    static Map<String, Latency> byStatus(Map<String, Histogram> micros) {
      Map<String, Latency> latencies = new TreeMap<>();
      micros.forEach((status, histogram) -> latencies.put(status, of(histogram)));
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

  /** {@code streamed}: ends seen on an outcome stream; {@code follows}: long polls sent. */
  record Outcomes(Map<String, Long> byStatus, long unexpected, long unfinished, long refused, long httpErrors, long follows,
      double followsPerSecond, long streamed) {}

  record Audit(boolean ok, long violationCount, List<String> violations, Long durationMs, Long eventsRead,
      JsonNode orders, JsonNode sagas, JsonNode eventsByEntity) {}

  private static double ms(Histogram micros, double percentile) {
    return micros.getTotalCount() == 0 ? 0 : micros.getValueAtPercentile(percentile) / 1000.0;
  }

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  void write(Path directory) throws IOException {
    Files.createDirectories(directory);
    MAPPER.writeValue(directory.resolve("report.json").toFile(), this);
    Files.writeString(directory.resolve("report.svg"), svg(), StandardCharsets.UTF_8);
  }

  // ---- the summary table ----------------------------------------------------------------

  String summary() {
    StringBuilder text = new StringBuilder();
    row(text, "sagas/s (measured window)", String.format(Locale.ROOT, "%,.0f  (%,d sagas in %.1f s, after %,d warm-up orders)",
        sagasPerSecond, measuredSagas, measuredWindowSeconds, setup.warmup()));
    row(text, "latency place→terminal", latencyMs.describe());
    latencyMsByStatus.forEach((status, latency) -> row(text, "  of " + status, latency.describe()));
    row(text, "HTTP accept latency", String.format(Locale.ROOT, "p50 %,.1f ms  p99 %,.1f ms  max %,.0f ms",
        acceptLatencyMs.p50(), acceptLatencyMs.p99(), acceptLatencyMs.max()));
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

  // ---- the chart ------------------------------------------------------------------------

  /** sagas/s (left axis) and p99 latency (right axis), one point per second; the warm-up is shaded. */
  String svg() {
    int width = 960;
    int height = 420;
    int left = 70;
    int right = 70;
    int top = 50;
    int bottom = 50;
    double plotW = width - left - right;
    double plotH = height - top - bottom;
    double lastT = Math.max(1, timeline.stream().mapToDouble(LoadRun.Tick::t).max().orElse(1));
    double stepT = niceCeiling(lastT / 10);
    double maxT = Math.ceil(lastT / stepT) * stepT;
    double maxRate = niceCeiling(timeline.stream().mapToDouble(LoadRun.Tick::sagasPerSecond).max().orElse(1));
    double maxP99 = niceCeiling(timeline.stream().mapToDouble(LoadRun.Tick::p99Ms).max().orElse(1));
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
        width, height, width, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", left,
        escape(String.format(Locale.ROOT, "saga-orchestrator bench: %,.0f sagas/s, p99 %,.0f ms (%,d orders, %d in flight)",
            sagasPerSecond, latencyMs.p99(), setup.orders(), setup.concurrency()))));
    double warmupEnd = timeline.stream().filter(LoadRun.Tick::warmup).mapToDouble(LoadRun.Tick::t).max().orElse(0);
    if (warmupEnd > 0) {
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#eeeeee\"/>%n",
          (double) left, top, plotW * warmupEnd / maxT, plotH));
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#888888\">warm-up</text>%n", left + 4.0, top + 14));
    }
    for (int i = 0; i <= 5; i++) {
      double y = top + plotH - plotH * i / 5;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dddddd\"/>%n", left, y, width - right, y));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f5fbf\">%,.0f</text>%n",
          left - 6, y + 4, maxRate * i / 5));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"#c0392b\">%,.0f</text>%n",
          width - right + 6, y + 4, maxP99 * i / 5));
    }
    for (double t = 0; t <= maxT + 1e-9; t += stepT) {
      double x = left + plotW * t / maxT;
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
          x, height - bottom + 18, stepT < 1 ? String.format(Locale.ROOT, "%.1f", t) : String.format(Locale.ROOT, "%.0f", t)));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">seconds since start</text>%n",
        left + plotW / 2, height - 12));
    svg.append(String.format(Locale.ROOT,
        "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\" fill=\"#1f5fbf\">sagas/s</text>%n", top + plotH / 2));
    svg.append(String.format(Locale.ROOT,
        "<text transform=\"translate(%d %.1f) rotate(90)\" text-anchor=\"middle\" fill=\"#c0392b\">p99 place→terminal (ms)</text>%n",
        width - 16, top + plotH / 2));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999999\"/>%n",
        left, top, plotW, plotH));
    svg.append(polyline(maxT, maxRate, left, top, plotW, plotH, "#1f5fbf", true));
    svg.append(polyline(maxT, maxP99, left, top, plotW, plotH, "#c0392b", false));
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" fill=\"#1f5fbf\">— sagas/s (terminal per second)</text><text x=\"%d\" y=\"%d\" fill=\"#c0392b\">— p99 latency of the orders that ended in that second</text>%n",
        left + 250, top - 8, left + 480, top - 8));
    svg.append("</svg>\n");
    return svg.toString();
  }

  private String polyline(double maxT, double maxY, int left, int top, double plotW, double plotH, String color, boolean rate) {
    StringBuilder points = new StringBuilder();
    for (LoadRun.Tick tick : timeline) {
      double value = rate ? tick.sagasPerSecond() : tick.p99Ms();
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotW * tick.t() / maxT, top + plotH - plotH * Math.min(1, value / maxY)));
    }
    return String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", color, points.toString().trim());
  }

  /** 1, 2 or 5 times a power of ten, at least {@code value}. */
  static double niceCeiling(double value) {
    if (value <= 0) return 1;
    double power = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 5, 10}) {
      if (step * power >= value) return step * power;
    }
    return 10 * power;
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
