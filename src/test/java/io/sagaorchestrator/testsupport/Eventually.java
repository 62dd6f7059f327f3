package io.sagaorchestrator.testsupport;

import java.time.Duration;

/** Re-checks an assertion until it holds or the deadline passes; then the last failure is thrown. */
public final class Eventually {
  private static final Duration POLL = Duration.ofMillis(50);

  private Eventually() {}

  public interface Check {
    void run() throws Exception;
  }

  public static void within(Duration deadline, Check check) {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError | Exception e) {
        if (System.nanoTime() > end) {
          if (e instanceof AssertionError assertion) throw assertion;
          throw new AssertionError("still failing after " + deadline, e);
        }
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
