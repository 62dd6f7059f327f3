package io.sagaorchestrator.order;

import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads {@link OrderEntity.OrderPlaced} in every form the journal holds. Version 1 named the
 * time {@code at}; version 2 names it {@code placedAt}, as the order's API and state do.
 * Registered under {@code akka.serialization.jackson.migrations} (saga-serialization.conf).
 */
public final class OrderPlacedMigration extends JacksonMigration {
  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    if (fromVersion < 2 && json instanceof ObjectNode fields && fields.has("at")) {
      fields.set("placedAt", fields.remove("at"));
    }
    return json;
  }
}
