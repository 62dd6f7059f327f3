package io.sagaorchestrator.participants;

import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Idempotency keys a participant may forget: their saga has ended and said so, so nothing new
 * will come under them, and the deadline of their last action plus the grace period has passed.
 * Every action carries that deadline and is refused after it, so the grace only has to cover
 * clock differences between nodes; after it, a late duplicate of an action is refused for its
 * age instead of being recognised by its record.
 *
 * <p>Held in the actor, not in its persistent state: a notice lost in a crash only leaves its
 * record in place. While keys wait, {@code due} is sent to the participant every second; it
 * then persists the forgetting of {@link #due}.
 */
public final class RecordRetention<C> {
  private static final String TIMER = "forget-records";
  private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  private record Pending(String key, long dueNanos) {}

  private final Duration grace;
  private final TimerScheduler<C> timers;
  private final C dueMessage;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();

  public RecordRetention(Duration grace, TimerScheduler<C> timers, C dueMessage) {
    this.grace = grace;
    this.timers = timers;
    this.dueMessage = dueMessage;
  }

  /** {@code actionsNotAfter}: no action under {@code key} may be applied after it. */
  public void forgetLater(String key, Instant actionsNotAfter) {
    Duration untilDeadline = Duration.between(Instant.now(), actionsNotAfter);
    long delayNanos = (untilDeadline.isNegative() ? Duration.ZERO : untilDeadline).plus(grace).toNanos();
    // Forgetting later than due is safe, so a key behind a later one in the queue may just wait for it.
    pending.addLast(new Pending(key, System.nanoTime() + delayNanos));
    if (!timers.isTimerActive(TIMER)) timers.startTimerWithFixedDelay(TIMER, dueMessage, CHECK_EVERY);
  }

  /** Keys whose grace has passed and that {@code held} still has; they leave the queue. */
  public List<String> due(Predicate<String> held) {
    long now = System.nanoTime();
    List<String> due = new ArrayList<>();
    while (!pending.isEmpty() && pending.peekFirst().dueNanos() - now <= 0) {
      String key = pending.removeFirst().key();
      if (held.test(key)) due.add(key);
    }
    if (pending.isEmpty()) timers.cancel(TIMER);
    return due;
  }
}
