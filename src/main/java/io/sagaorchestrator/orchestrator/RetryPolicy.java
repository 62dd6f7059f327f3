package io.sagaorchestrator.orchestrator;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How often and how patiently to retry: up to {@code maxAttempts} attempts, the wait doubling from
 * {@code initialBackoff} up to {@code maxBackoff}, each wait spread by ±{@code jitter} (0..1) so
 * that sagas failing together do not retry together.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {

  public RetryPolicy {
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max");
    }
    if (jitter < 0 || jitter > 1) throw new IllegalArgumentException("jitter must be within 0..1");
  }

  public static RetryPolicy exponential(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, jitter);
  }

  /** From {@code max-attempts}, {@code initial-backoff}, {@code max-backoff} and {@code jitter}. */
  public static RetryPolicy from(Config c) {
    return exponential(c.getInt("max-attempts"), c.getDuration("initial-backoff"), c.getDuration("max-backoff"),
        c.getDouble("jitter"));
  }

  public boolean exhaustedAfter(int failedAttempts) {
    return failedAttempts >= maxAttempts;
  }

  /** The wait before the attempt that follows {@code failedAttempts} failures; random in [0,1). */
  public Duration backoffAfter(int failedAttempts, DoubleSupplier random) {
    int doublings = Math.min(Math.max(failedAttempts - 1, 0), 30);
    long base = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << doublings);
    double spread = 1.0 + jitter * (random.getAsDouble() * 2.0 - 1.0);
    return Duration.ofMillis(Math.max(0L, Math.round(base * spread)));
  }
}
