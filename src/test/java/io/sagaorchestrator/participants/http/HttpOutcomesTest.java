package io.sagaorchestrator.participants.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sagaorchestrator.orchestrator.StepOutcome;
import org.junit.jupiter.api.Test;

/** The status mapping of docs/http-participant.md. */
class HttpOutcomesTest {

  @Test
  void twoHundredsSucceed() {
    assertEquals(new StepOutcome.Succeeded("HTTP 200"), HttpOutcomes.of(200, "{}"));
    assertEquals(new StepOutcome.Succeeded("HTTP 204"), HttpOutcomes.of(204, ""));
  }

  @Test
  void conflictAndUnprocessableAreRefusalsWithTheBodysReason() {
    assertEquals(new StepOutcome.Rejected("no rooms"), HttpOutcomes.of(409, "{\"reason\": \"no rooms\"}"));
    assertEquals(new StepOutcome.Rejected("bad dates"), HttpOutcomes.of(422, "{\"error\": \"bad dates\", \"details\": []}"));
    assertEquals(new StepOutcome.Rejected("sold out"), HttpOutcomes.of(409, "  sold out\n"));
    assertEquals(new StepOutcome.Rejected("HTTP 409"), HttpOutcomes.of(409, ""));
    assertEquals(HttpOutcomes.MAX_REASON + 1, ((StepOutcome.Rejected) HttpOutcomes.of(422, "x".repeat(5000))).reason().length());
  }

  @Test
  void timeoutsThrottlingAndServerErrorsAreTransient() {
    assertEquals(new StepOutcome.Failed("HTTP 408"), HttpOutcomes.of(408, null));
    assertEquals(new StepOutcome.Failed("HTTP 429: slow down"), HttpOutcomes.of(429, "{\"error\": \"slow down\"}"));
    assertEquals(new StepOutcome.Failed("HTTP 500: boom"), HttpOutcomes.of(500, "boom"));
    assertEquals(new StepOutcome.Failed("HTTP 503: {\"status\": 1}"), HttpOutcomes.of(503, "{\"status\": 1}"));
    assertEquals(new StepOutcome.Failed("HTTP 302: unexpected status"), HttpOutcomes.of(302, ""));
  }

  @Test
  void otherClientErrorsCanNeverSucceedAsSentSoTheyAreRefusals() {
    assertEquals(new StepOutcome.Rejected("HTTP 400: missing nights"), HttpOutcomes.of(400, "{\"error\": \"missing nights\"}"));
    assertEquals(new StepOutcome.Rejected("HTTP 404"), HttpOutcomes.of(404, ""));
  }
}
