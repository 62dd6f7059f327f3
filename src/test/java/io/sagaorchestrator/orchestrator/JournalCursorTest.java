package io.sagaorchestrator.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class JournalCursorTest {
  private static final long TIMEOUT = 10_000;

  private static SagaKeeper.JournalRead window(long windowEnd, long max, long... orderings) {
    return new SagaKeeper.JournalRead(
        LongStream.of(orderings).mapToObj(o -> new SagaKeeper.JournalRow(o, "Saga|s-" + o, "m")).toList(), windowEnd, max);
  }

  private static List<Long> orderings(List<SagaKeeper.JournalRow> rows) {
    return rows.stream().map(SagaKeeper.JournalRow::ordering).toList();
  }

  @Test
  void handsOutRowsWithoutGapsAtOnce() {
    JournalCursor cursor = new JournalCursor(0);
    assertEquals(List.of(1L, 2L, 3L), orderings(cursor.advance(window(3, 3, 1, 2, 3), 0, TIMEOUT)));
    assertEquals(3, cursor.offset());
    assertEquals(List.of(), orderings(cursor.advance(window(3, 3), 1, TIMEOUT)));
    assertEquals(3, cursor.offset());
  }

  @Test
  void holdsBackRowsBehindAGapUntilTheGapTimeout() {
    JournalCursor cursor = new JournalCursor(0);
    // Value 3 is taken but not yet committed (a parallel writer): 4 and 5 wait.
    assertEquals(List.of(1L, 2L), orderings(cursor.advance(window(5, 5, 1, 2, 4, 5), 0, TIMEOUT)));
    assertEquals(2, cursor.offset());
    assertEquals(List.of(), orderings(cursor.advance(window(5, 5, 4, 5), TIMEOUT - 1, TIMEOUT)));
    // Value 3 shows up in time: it is handed out in its place.
    assertEquals(List.of(3L, 4L, 5L), orderings(cursor.advance(window(5, 5, 3, 4, 5), TIMEOUT - 1, TIMEOUT)));
    assertEquals(5, cursor.offset());
  }

  @Test
  void skipsAGapThatOutlastsTheTimeout() {
    JournalCursor cursor = new JournalCursor(0);
    assertEquals(List.of(1L), orderings(cursor.advance(window(3, 3, 1, 3), 0, TIMEOUT)));
    assertEquals(List.of(3L), orderings(cursor.advance(window(3, 3, 3), TIMEOUT, TIMEOUT)));
    assertEquals(3, cursor.offset());
  }

  @Test
  void settlesEveryGapSeenAtTheFirstBlockWithOneTimeout() {
    // An old journal read from the start: many permanent gaps (deleted rows), one wait.
    JournalCursor cursor = new JournalCursor(0);
    assertEquals(List.of(1L, 2L), orderings(cursor.advance(window(20, 20, 1, 2, 5, 9, 12, 20), 0, TIMEOUT)));
    assertEquals(List.of(5L, 9L, 12L, 20L), orderings(cursor.advance(window(20, 20, 5, 9, 12, 20), TIMEOUT, TIMEOUT)));
    assertEquals(20, cursor.offset());
  }

  @Test
  void givesAGapBeyondTheSettledHorizonItsOwnTimeout() {
    JournalCursor cursor = new JournalCursor(0);
    cursor.advance(window(4, 4, 1, 3, 4), 0, TIMEOUT);
    // At the timeout the journal has grown; 6 is new and its gap (5) is younger than the timeout.
    assertEquals(List.of(3L, 4L), orderings(cursor.advance(window(6, 6, 3, 4, 6), TIMEOUT, TIMEOUT)));
    assertEquals(4, cursor.offset());
    assertEquals(List.of(), orderings(cursor.advance(window(6, 6, 6), TIMEOUT + 1, TIMEOUT)));
    assertEquals(List.of(6L), orderings(cursor.advance(window(6, 6, 6), 2 * TIMEOUT + 1, TIMEOUT)));
  }

  @Test
  void movesPastAWindowWithoutRowsOnceItsGapHasSettled() {
    JournalCursor cursor = new JournalCursor(100);
    assertEquals(List.of(), orderings(cursor.advance(window(110, 500), 0, TIMEOUT)));
    assertEquals(100, cursor.offset());
    assertEquals(List.of(), orderings(cursor.advance(window(110, 500), TIMEOUT, TIMEOUT)));
    assertEquals(110, cursor.offset());
    // The next window, still below the horizon (500), needs no new wait.
    assertEquals(List.of(115L), orderings(cursor.advance(window(120, 500, 115), TIMEOUT, TIMEOUT)));
    assertEquals(120, cursor.offset());
  }
}
