package io.sagaorchestrator.bench;

import io.sagaorchestrator.client.NodeClient;
import java.io.PrintWriter;

/** What a load run prints while it runs: a line per second, and the first few failures so that their counts can be explained. */
final class ProgressLog {
  private static final int FAILED_REQUESTS_SHOWN = 3;
  private static final int REFUSED_ORDERS_SHOWN = 5;

  private final PrintWriter out;
  private final LoadMetrics metrics;
  private final int concurrency;

  ProgressLog(PrintWriter out, LoadMetrics metrics, int concurrency) {
    this.out = out;
    this.metrics = metrics;
    this.concurrency = concurrency;
  }

  void note(String line) {
    out.println("bench: " + line);
    out.flush();
  }

  /** Counts a failed request, which is retried. */
  void retrying(String doing, TrackedOrder order, NodeClient.Response response, Throwable error) {
    if (metrics.httpError() <= FAILED_REQUESTS_SHOWN) {
      out.println("bench: " + doing + " order " + order.orderId + " failed, retrying: "
          + (error != null ? error.toString() : "HTTP " + response.status() + " " + response.body()));
    }
  }

  void refused(TrackedOrder order, NodeClient.Response response) {
    if (metrics.refused() <= REFUSED_ORDERS_SHOWN) {
      out.println("bench: order " + order.orderId + " refused: HTTP " + response.status() + " " + response.body());
    }
  }

  void second(Tick tick, int available) {
    Double p99SoFar = metrics.p99SoFarMs();
    out.printf("[%5.1fs]%s placed %,d  terminal %,d  in flight %d  sagas/s %,.0f  p99 %,.0f ms (so far %s)  streamed %,d  follow requests %,d  http errors %,d%n",
        tick.t(), tick.warmup() ? " warm-up" : "", metrics.placed(), tick.terminal(), concurrency - available, tick.sagasPerSecond(),
        tick.p99Ms(), p99SoFar == null ? "-" : String.format("%,.0f ms", p99SoFar), metrics.streamedCount(), metrics.follows(),
        metrics.httpErrors());
    out.flush();
  }
}
