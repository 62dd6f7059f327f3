package io.sagaorchestrator.orchestrator;

/**
 * How many wake-ups the saga keeper may send now: {@code perSecond}, refilled continuously, at
 * most a second's worth at once. After a failover every open saga is due, and each wake-up not in
 * memory is a recovery from the journal: unlimited, they would all land in the same second.
 */
final class WakeBudget {
  private final int perSecond;
  private double available;
  private long lastMillis;

  WakeBudget(int perSecond, long nowMillis) {
    if (perSecond < 1) throw new IllegalArgumentException("saga.keeper.max-wakeups-per-second: must be at least 1");
    this.perSecond = perSecond;
    this.available = perSecond;
    this.lastMillis = nowMillis;
  }

  /** Takes one wake-up if one is left at {@code nowMillis}. */
  boolean take(long nowMillis) {
    if (nowMillis > lastMillis) {
      available = Math.min(perSecond, available + (nowMillis - lastMillis) * perSecond / 1000.0);
      lastMillis = nowMillis;
    }
    if (available < 1) return false;
    available -= 1;
    return true;
  }
}
