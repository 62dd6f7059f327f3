package io.sagaorchestrator.participants.http;

import akka.actor.typed.ActorSystem;
import akka.pattern.CircuitBreaker;
import akka.pattern.CircuitBreakerOpenException;
import io.sagaorchestrator.orchestrator.StepAction;
import io.sagaorchestrator.orchestrator.StepContext;
import io.sagaorchestrator.orchestrator.StepOutcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * A remote service that step actions call over HTTP (docs/http-participant.md). Every call
 * carries the step's idempotency key, the saga's correlation id and the attempt's deadline;
 * the answer becomes a {@link StepOutcome} and the returned stage never fails. Calls never block
 * the caller: the JDK client sends them asynchronously.
 *
 * <p>Per participant: at most {@code max-concurrent} calls in flight (one more is answered
 * {@code Failed("bulkhead full")} at once, and the step's retry policy is its queue), and a
 * circuit breaker that, after {@code max-failures} transient failures in a row, answers every call
 * {@code Failed} without sending it until {@code reset-timeout} has passed and a trial call succeeds.
 */
public final class HttpParticipant {
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  public static final String CORRELATION_ID = "X-Correlation-Id";
  public static final String NOT_AFTER = "X-Saga-Not-After";
  public static final String ATTEMPT = "X-Saga-Attempt";
  static final String BULKHEAD_FULL = "bulkhead full";

  private final HttpParticipantSettings settings;
  private final HttpClient client;
  private final Semaphore slots;
  private final CircuitBreaker breaker;

  public HttpParticipant(ActorSystem<?> system, HttpClient client, HttpParticipantSettings settings) {
    this.settings = settings;
    this.client = client;
    this.slots = new Semaphore(settings.maxConcurrent());
    this.breaker = CircuitBreaker.create(system.classicSystem().scheduler(), settings.breakerMaxFailures(),
        settings.breakerCallTimeout(), settings.breakerResetTimeout());
  }

  /** A participant with a client of its own, for a user's code or a test; a node shares one client ({@link HttpParticipants}). */
  public static HttpParticipant create(ActorSystem<?> system, HttpParticipantSettings settings) {
    return new HttpParticipant(system, HttpParticipants.newClient(system), settings);
  }

  public String name() {
    return settings.name();
  }

  public Optional<URI> baseUrl() {
    return settings.baseUrl();
  }

  /** A step action (or compensation) that sends the request {@code request} builds for the saga's data and the attempt. */
  public <D> StepAction<D> action(BiFunction<D, StepContext, HttpCall> request) {
    return (data, step) -> call(request.apply(data, step), step);
  }

  public CompletionStage<StepOutcome> call(HttpCall call, StepContext step) {
    Duration timeout = Duration.between(Instant.now(), step.notAfter());
    if (timeout.compareTo(settings.breakerCallTimeout()) > 0) timeout = settings.breakerCallTimeout();
    if (timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(new StepOutcome.Failed("deadline passed before the call was sent"));
    }
    HttpRequest request;
    try {
      request = request(call, step, timeout);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new StepOutcome.Rejected(name() + ": request cannot be sent: " + e.getMessage()));
    }
    if (!slots.tryAcquire()) return CompletableFuture.completedFuture(new StepOutcome.Failed(BULKHEAD_FULL));
    Duration limit = timeout;
    AtomicBoolean sent = new AtomicBoolean();
    return breaker.<StepOutcome>callWithCircuitBreakerCS(() -> {
          sent.set(true);
          return send(request, limit);
        }, HttpParticipant::isBreakerFailure)
        .exceptionally(error -> {
          if (!sent.get()) slots.release();
          return new StepOutcome.Failed(describe(error, limit));
        });
  }

  /** A service's transient failure counts against it; a refusal is an answer, so it does not. */
  private static boolean isBreakerFailure(Optional<StepOutcome> outcome, Optional<Throwable> error) {
    return error.isPresent() || outcome.filter(o -> o instanceof StepOutcome.Failed).isPresent();
  }

  /** Sends {@code request} holding a bulkhead slot, which it gives back once the exchange is over. */
  private CompletionStage<StepOutcome> send(HttpRequest request, Duration timeout) {
    CompletableFuture<HttpResponse<String>> exchange;
    try {
      exchange = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
    // The request's own timeout ends the wait for the headers; this one also bounds a body that stalls.
    return exchange.copy()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((response, error) -> {
          slots.release();
          if (error == null) return HttpOutcomes.of(response.statusCode(), response.body());
          exchange.cancel(true);
          return new StepOutcome.Failed(describe(error, timeout));
        });
  }

  private HttpRequest request(HttpCall call, StepContext step, Duration timeout) {
    URI uri = resolve(call.url());
    HttpRequest.BodyPublisher body = call.body() == null
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(call.body());
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).method(call.method(), body).timeout(timeout);
    call.headers().forEach(builder::header);
    if (call.body() != null && call.contentType() != null) builder.setHeader("Content-Type", call.contentType());
    builder.setHeader(IDEMPOTENCY_KEY, step.idempotencyKey())
        .setHeader(NOT_AFTER, step.notAfter().toString())
        .setHeader(ATTEMPT, Integer.toString(step.attempt()));
    if (step.correlationId() != null) builder.setHeader(CORRELATION_ID, step.correlationId());
    return builder.build();
  }

  private URI resolve(String url) {
    URI uri = URI.create(url);
    if (uri.isAbsolute()) return uri;
    String base = settings.baseUrl().orElseThrow(() -> new IllegalArgumentException(
        "'" + url + "' is relative and " + HttpParticipantSettings.key(name(), "base-url") + " is not set")).toString();
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + (url.startsWith("/") ? url : "/" + url));
  }

  private String describe(Throwable error, Duration timeout) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof CircuitBreakerOpenException) return name() + ": circuit breaker open, call not sent";
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return name() + ": no answer within " + timeout.toMillis() + "ms, outcome unknown";
    }
    if (cause instanceof IOException) return name() + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return name() + ": " + cause;
  }
}
