package io.sagaorchestrator.bench;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How the bench saw an order or saga end. The first four are the terminal statuses a node reports;
 * they are listed alphabetically, the order in which the report shows them.
 */
enum Outcome {
  /** The saga compensated: the order's status is CANCELLED. */
  CANCELLED,
  /** A saga started with POST /sagas compensated. */
  COMPENSATED,
  /** The saga completed: the order's status is COMPLETED. */
  COMPLETED,
  /** The saga waits for an operator: an order stays PENDING, its {@code sagaStatus} is PARKED. */
  PARKED,
  /** The node refused the order (a 4xx other than 429). */
  REFUSED,
  /** Not seen to end within the order timeout. */
  UNFINISHED;

  boolean terminal() {
    return this == CANCELLED || this == COMPENSATED || this == COMPLETED || this == PARKED;
  }

  /** From an order ({@code GET /orders/{id}}) or an outcome event: its terminal status, or null while it runs. */
  static Outcome ofOrder(JsonNode order) {
    String status = order.path("status").asText();
    if (status.equals("COMPLETED")) return COMPLETED;
    if (status.equals("CANCELLED")) return CANCELLED;
    return order.path("sagaStatus").asText().equals("PARKED") ? PARKED : null;
  }

  /** From a saga ({@code GET /sagas/{id}}): its terminal status, or null while it runs or compensates. */
  static Outcome ofSaga(JsonNode saga) {
    return switch (saga.path("status").asText()) {
      case "COMPLETED" -> COMPLETED;
      case "COMPENSATED" -> COMPENSATED;
      case "PARKED" -> PARKED;
      default -> null;
    };
  }
}
