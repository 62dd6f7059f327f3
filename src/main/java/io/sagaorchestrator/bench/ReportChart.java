package io.sagaorchestrator.bench;

import java.util.List;
import java.util.Locale;

/** {@code report.svg}: sagas/s (left axis) and p99 latency (right axis), one point per second; the warm-up is shaded. */
final class ReportChart {
  private final BenchReport report;
  private final List<Tick> timeline;

  ReportChart(BenchReport report) {
    this.report = report;
    this.timeline = report.timeline();
  }

  String svg() {
    int width = 960;
    int height = 420;
    int left = 70;
    int right = 70;
    int top = 50;
    int bottom = 50;
    double plotW = width - left - right;
    double plotH = height - top - bottom;
    double lastT = Math.max(1, timeline.stream().mapToDouble(Tick::t).max().orElse(1));
    double stepT = niceCeiling(lastT / 10);
    double maxT = Math.ceil(lastT / stepT) * stepT;
    double maxRate = niceCeiling(timeline.stream().mapToDouble(Tick::sagasPerSecond).max().orElse(1));
    double maxP99 = niceCeiling(timeline.stream().mapToDouble(Tick::p99Ms).max().orElse(1));
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
        width, height, width, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", left,
        escape(String.format(Locale.ROOT, "saga-orchestrator bench: %,.0f sagas/s, p99 %,.0f ms (%,d orders, %d in flight)",
            report.sagasPerSecond(), report.latencyMs().p99(), report.setup().orders(), report.setup().concurrency()))));
    double warmupEnd = timeline.stream().filter(Tick::warmup).mapToDouble(Tick::t).max().orElse(0);
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
    for (Tick tick : timeline) {
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
