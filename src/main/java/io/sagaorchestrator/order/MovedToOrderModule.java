package io.sagaorchestrator.order;

import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads the payment, inventory and shipping messages stored (or sent by a node) before they moved
 * from {@code io.sagaorchestrator.participants.*} into the order module: same shapes, new package.
 * Registered per old class name in saga-migrations.conf.
 */
public final class MovedToOrderModule extends JacksonMigration {
  static final String OLD_PACKAGE = "io.sagaorchestrator.participants.";
  static final String NEW_PACKAGE = "io.sagaorchestrator.order.";

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return className.startsWith(OLD_PACKAGE) ? NEW_PACKAGE + className.substring(OLD_PACKAGE.length()) : className;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
