package io.sagaorchestrator.orchestrator;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the journal's rows in {@code ordering} order without skipping one that is still being
 * written. Ordering values are taken when a row is inserted, not when it commits: with parallel
 * writers (PostgreSQL) a lower value can become visible after a higher one. So a missing value
 * (a gap) holds the cursor back, until the gap has been open for the gap timeout; then every gap
 * up to the journal's highest ordering at the time it was first met counts as permanent (a
 * rolled-back insert, values lost from a sequence cache in a crash, deleted rows).
 */
public final class JournalCursor {

  /** A journal row, as far as the cursor is concerned. */
  public interface Ordered {
    long ordering();
  }

  private long offset;
  private boolean blocked;
  private long blockedSince;
  private long horizon;

  public JournalCursor(long offset) {
    this.offset = offset;
  }

  /** Every row at or below this ordering has been handed out (or was a permanent gap). */
  public long offset() {
    return offset;
  }

  /** Whether the cursor has reached the journal's end, as the last window saw it. */
  public boolean caughtUp(long maxOrdering) {
    return offset >= maxOrdering;
  }

  List<SagaKeeper.JournalRow> advance(SagaKeeper.JournalRead window, long nowMillis, long gapTimeoutMillis) {
    return advance(window.rows(), window.windowEnd(), window.maxOrdering(), nowMillis, gapTimeoutMillis);
  }

  /**
   * The rows of a window (every row with an ordering up to {@code windowEnd} that was visible, the
   * journal's highest ordering then being {@code maxOrdering}) that may be handed out now, in
   * order; the offset moves past them.
   */
  public <R extends Ordered> List<R> advance(List<R> rows, long windowEnd, long maxOrdering, long nowMillis, long gapTimeoutMillis) {
    List<R> out = new ArrayList<>();
    for (R row : rows) {
      if (row.ordering() <= offset) continue;
      if (row.ordering() != offset + 1 && !gapSettled(row.ordering() - 1, nowMillis, gapTimeoutMillis)) {
        block(maxOrdering, nowMillis, gapTimeoutMillis);
        return out;
      }
      out.add(row);
      offset = row.ordering();
    }
    // No row in the rest of the window: values up to its end (or the journal's end) are a gap too.
    long end = Math.min(windowEnd, maxOrdering);
    if (end > offset) {
      if (gapSettled(end, nowMillis, gapTimeoutMillis)) offset = end;
      else block(maxOrdering, nowMillis, gapTimeoutMillis);
    }
    if (blocked && offset >= horizon) blocked = false;
    return out;
  }

  /** Whether every missing value up to {@code last} has had the gap timeout to appear. */
  private boolean gapSettled(long last, long nowMillis, long gapTimeoutMillis) {
    return blocked && nowMillis - blockedSince >= gapTimeoutMillis && last <= horizon;
  }

  private void block(long maxOrdering, long nowMillis, long gapTimeoutMillis) {
    boolean current = blocked && nowMillis - blockedSince < gapTimeoutMillis;
    if (current) return;
    blocked = true;
    blockedSince = nowMillis;
    horizon = maxOrdering;
  }
}
