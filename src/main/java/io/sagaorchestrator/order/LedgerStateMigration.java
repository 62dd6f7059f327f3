package io.sagaorchestrator.order;

import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagaorchestrator.participants.IdempotentLedger;
import java.util.Map;

/**
 * Reads the snapshots payment accounts and inventory items stored in their own state types
 * before both became an {@link IdempotentLedger}: {@code depositedCents}/{@code restocked} is now
 * {@code added}, {@code availableCents} is {@code available}, and each record's
 * {@code status} (CHARGED/RESERVED, REJECTED, REFUNDED/RELEASED, TOMBSTONE) and
 * {@code amountCents}/{@code quantity} are {@code standing} and {@code amount}.
 */
public final class LedgerStateMigration extends JacksonMigration {
  private static final Map<String, String> STANDING = Map.of(
      "CHARGED", "HELD", "RESERVED", "HELD", "REJECTED", "REJECTED",
      "REFUNDED", "UNDONE", "RELEASED", "UNDONE", "TOMBSTONE", "TOMBSTONE");

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return IdempotentLedger.class.getName();
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    if (!(json instanceof ObjectNode state)) return json;
    rename(state, "depositedCents", "added");
    rename(state, "restocked", "added");
    rename(state, "availableCents", "available");
    if (state.get("byKey") instanceof ObjectNode byKey) {
      byKey.elements().forEachRemaining(value -> {
        if (!(value instanceof ObjectNode record)) return;
        JsonNode status = record.remove("status");
        if (status != null) record.put("standing", STANDING.getOrDefault(status.asText(), status.asText()));
        rename(record, "amountCents", "amount");
        rename(record, "quantity", "amount");
      });
    }
    return state;
  }

  private static void rename(ObjectNode node, String from, String to) {
    if (node.has(from)) node.set(to, node.remove(from));
  }
}
