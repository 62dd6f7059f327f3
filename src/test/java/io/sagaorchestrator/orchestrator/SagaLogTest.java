package io.sagaorchestrator.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.testkit.SagaRun;
import io.sagaorchestrator.testkit.SagaTestKit;
import io.sagaorchestrator.testkit.TestParticipant;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Every line a saga's entity logs carries the saga's id and correlation id in the MDC. */
class SagaLogTest {
  public record Trip(String traveller) {}

  @Test
  void aSagasLinesCarryItsIdAndCorrelationId() {
    Logger entityLog = (Logger) LoggerFactory.getLogger(SagaEntity.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Level before = entityLog.getLevel();
    entityLog.setLevel(Level.DEBUG);
    entityLog.addAppender(lines);
    try (SagaTestKit kit = SagaTestKit.create()) {
      TestParticipant<Trip> hotel = kit.participant("hotel");
      TestParticipant<Trip> cancel = kit.participant("cancel-hotel");
      RetryPolicy once = RetryPolicy.exponential(1, Duration.ZERO, Duration.ZERO, 0);
      SagaDefinition<Trip> trip = SagaDefinition.builder("trip", 1, Trip.class)
          .step("hotel", step -> step.action(hotel).compensation(cancel).retry(once).timeout(Duration.ofSeconds(5)))
          .build();
      SagaRun saga = kit.start(trip, new Trip("ada"));
      hotel.expectCall().reject("full");
      cancel.expectCall().succeed();
      saga.awaitStatus(SagaStatus.COMPENSATED);

      List<ILoggingEvent> ofSaga = lines.list.stream().filter(line -> line.getFormattedMessage().contains(saga.sagaId())).toList();
      assertFalse(ofSaga.isEmpty(), "the saga logged at DEBUG: " + lines.list);
      for (ILoggingEvent line : ofSaga) {
        assertEquals(saga.sagaId(), line.getMDCPropertyMap().get("sagaId"), line.getFormattedMessage());
        assertTrue(line.getMDCPropertyMap().containsKey("correlationId"), line.getFormattedMessage());
        assertEquals(saga.summary().correlationId(), line.getMDCPropertyMap().get("correlationId"), line.getFormattedMessage());
      }
    } finally {
      entityLog.detachAppender(lines);
      entityLog.setLevel(before);
    }
  }
}
