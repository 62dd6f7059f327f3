package io.sagaorchestrator.participants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.participants.IdempotentLedger.Standing;
import io.sagaorchestrator.participants.IdempotentLedger.Undo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pcollections.PMap;

/** The rules every participant that holds credit or stock for sagas follows, without an entity. */
class IdempotentLedgerTest {
  private record Hold(String orderId, Standing standing, long amount, String reason) implements IdempotentLedger.Entry {}

  private static final Instant LATER = Instant.now().plusSeconds(60);

  @Test
  void aNewActionBeforeItsDeadlineIsApplied() {
    assertTrue(IdempotentLedger.answerWithoutApplying(null, LATER, "charge").isEmpty());
  }

  @Test
  void aNewActionPastItsDeadlineIsRefusedUnappliedAsAFailure() {
    StepOutcome answer = IdempotentLedger.answerWithoutApplying(null, Instant.now().minusSeconds(1), "charge").orElseThrow();
    assertEquals(new StepOutcome.Failed("charge arrived after its deadline; not applied"), answer);
  }

  @Test
  void aRepeatedActionGetsItsFirstOutcomeEvenPastItsDeadline() {
    Instant past = Instant.now().minusSeconds(1);
    assertEquals(StepOutcome.succeeded(),
        IdempotentLedger.answerWithoutApplying(new Hold("o-1", Standing.HELD, 5, null), past, "charge").orElseThrow());
    assertEquals(new StepOutcome.Rejected("insufficient credit"),
        IdempotentLedger.answerWithoutApplying(new Hold("o-1", Standing.REJECTED, 0, "insufficient credit"), past, "charge").orElseThrow());
  }

  @Test
  void anActionAfterItsUndoOrTombstoneIsRejected() {
    for (Standing undone : List.of(Standing.UNDONE, Standing.TOMBSTONE)) {
      assertEquals(new StepOutcome.Rejected("reservation already compensated"),
          IdempotentLedger.answerWithoutApplying(new Hold("o-1", undone, 0, null), LATER, "reservation").orElseThrow());
    }
  }

  @Test
  void anUndoGivesBackOnlyWhatIsHeldAndTombstonesWhatNeverCame() {
    assertEquals(Undo.TOMBSTONE, IdempotentLedger.undo(null));
    assertEquals(Undo.GIVE_BACK, IdempotentLedger.undo(new Hold("o-1", Standing.HELD, 5, null)));
    assertEquals(Undo.NOTHING, IdempotentLedger.undo(new Hold("o-1", Standing.REJECTED, 0, "no")));
    assertEquals(Undo.NOTHING, IdempotentLedger.undo(new Hold("o-1", Standing.UNDONE, 5, null)));
    assertEquals(Undo.NOTHING, IdempotentLedger.undo(new Hold("o-1", Standing.TOMBSTONE, 0, null)));
  }

  @Test
  void whatEachOrderHoldsCountsOnlyHeldRecords() {
    Map<String, Long> held = IdempotentLedger.heldByOrder(List.of(
        new Hold("o-1", Standing.HELD, 5, null),
        new Hold("o-1", Standing.HELD, 2, null),
        new Hold("o-2", Standing.UNDONE, 9, null),
        new Hold("o-3", Standing.REJECTED, 0, "no")));
    assertEquals(Map.of("o-1", 7L), held);
  }

  @Test
  void recordsAreAPersistentMapThatSharesWhatItKeeps() {
    PMap<String, Hold> one = IdempotentLedger.with(Map.of(), "k-1", new Hold("o-1", Standing.HELD, 5, null));
    PMap<String, Hold> two = IdempotentLedger.with(one, "k-2", new Hold("o-2", Standing.HELD, 1, null));
    assertSame(two, IdempotentLedger.persistent(two));
    assertEquals(1, one.size());
    assertEquals(Map.of("k-2", two.get("k-2")), IdempotentLedger.without(two, List.of("k-1")));
  }
}
