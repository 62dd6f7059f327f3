package io.sagaorchestrator.infra.http;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RetryAfter;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagaorchestrator.orchestrator.RunningSagas;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Admission control (docs/design.md §5): a node takes a new saga while the sagas running in its
 * memory plus the placements it is still accepting are fewer than {@code saga.admission.max-in-flight}.
 * Beyond that a start is refused with 429 and {@code Retry-After} before anything is stored, so
 * an overloaded node keeps its throughput and its latency for the sagas it has, and
 * {@code /health/ready} says so to a load balancer.
 */
public final class Admission {
  private final RunningSagas running;
  private final int maxInFlight;
  private final Duration retryAfter;
  private final AtomicInteger accepting = new AtomicInteger();
  private final Counter refused;

  public Admission(RunningSagas running, Config config, MeterRegistry metrics) {
    Config admission = config.getConfig("saga.admission");
    this.running = running;
    this.maxInFlight = admission.getInt("max-in-flight");
    this.retryAfter = admission.getDuration("retry-after");
    if (maxInFlight < 1) throw new IllegalArgumentException("saga.admission.max-in-flight: must be at least 1");
    if (retryAfter.toSeconds() < 1) throw new IllegalArgumentException("saga.admission.retry-after: must be at least 1s");
    this.refused = Counter.builder("saga.admission.refused").description("Saga starts refused with 429: the node was at capacity")
        .register(metrics);
    Gauge.builder("saga.running", running, RunningSagas::count)
        .description("Sagas running or compensating in this node's memory").register(metrics);
  }

  /**
   * Runs {@code start} when the node admits one more saga, counting it as being accepted until it
   * is answered; else answers {@code refusal}, a 429 made by {@link #refusal}.
   */
  public CompletionStage<HttpResponse> admitting(Supplier<HttpResponse> refusal, Supplier<CompletionStage<HttpResponse>> start) {
    if (!takePlace()) {
      refused.increment();
      return CompletableFuture.completedFuture(refusal.get());
    }
    try {
      return start.get().whenComplete((response, error) -> accepting.decrementAndGet());
    } catch (RuntimeException e) {
      accepting.decrementAndGet();
      throw e;
    }
  }

  private boolean takePlace() {
    while (true) {
      int now = accepting.get();
      if (full(now)) return false;
      if (accepting.compareAndSet(now, now + 1)) return true;
    }
  }

  /** Whether a start would be refused now. */
  public boolean atCapacity() {
    return full(accepting.get());
  }

  private boolean full(int accepting) {
    return running.count() + accepting >= maxInFlight;
  }

  /** The 429 for a refused start, with {@code body} (which names what was refused). */
  public HttpResponse refusal(Object body) {
    return HttpJson.response(StatusCodes.TOO_MANY_REQUESTS, body).addHeader(RetryAfter.create(retryAfter.toSeconds()));
  }

  /** What a refusal says. */
  public String message() {
    return "this node is at capacity (" + maxInFlight + " sagas in flight): retry after " + retryAfter.toSeconds() + " s";
  }
}
