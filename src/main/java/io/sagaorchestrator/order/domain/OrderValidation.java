package io.sagaorchestrator.order.domain;

import io.sagaorchestrator.orchestrator.Ids;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Checks a client's order before anything is persisted; every problem names its field. */
public final class OrderValidation {
  public static final int MAX_ITEMS = 100;
  public static final int MAX_QUANTITY = 1_000_000;
  public static final long MAX_UNIT_PRICE_CENTS = 100_000_000_00L;
  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
  private static final int MAX_TEXT = 200;

  private OrderValidation() {}

  public static List<String> problems(OrderData order) {
    List<String> problems = new ArrayList<>();
    if (!Ids.isValid(order.orderId())) problems.add("orderId: must be 1-64 characters of [A-Za-z0-9._-]");
    if (!Ids.isValid(order.customerId())) problems.add("customerId: must be 1-64 characters of [A-Za-z0-9._-]");
    List<OrderLine> items = order.items();
    if (items.isEmpty()) problems.add("items: must hold at least one item");
    if (items.size() > MAX_ITEMS) problems.add("items: at most " + MAX_ITEMS + " items");
    for (int i = 0; i < items.size() && i < MAX_ITEMS; i++) {
      OrderLine line = items.get(i);
      String at = "items[" + i + "].";
      if (line == null) {
        problems.add("items[" + i + "]: must be an object");
        continue;
      }
      if (!Ids.isValid(line.sku())) problems.add(at + "sku: must be 1-64 characters of [A-Za-z0-9._-]");
      if (line.quantity() < 1 || line.quantity() > MAX_QUANTITY) {
        problems.add(at + "quantity: must be between 1 and " + MAX_QUANTITY);
      }
      if (line.unitPriceCents() < 0 || line.unitPriceCents() > MAX_UNIT_PRICE_CENTS) {
        problems.add(at + "unitPriceCents: must be between 0 and " + MAX_UNIT_PRICE_CENTS);
      }
    }
    ShippingAddress address = order.shippingAddress();
    if (address == null) {
      problems.add("shippingAddress: required");
    } else {
      if (address.country() == null || !COUNTRY.matcher(address.country()).matches()) {
        problems.add("shippingAddress.country: must be a two-letter upper-case country code");
      }
      if (address.city() != null && address.city().length() > MAX_TEXT) {
        problems.add("shippingAddress.city: at most " + MAX_TEXT + " characters");
      }
      if (address.street() != null && address.street().length() > MAX_TEXT) {
        problems.add("shippingAddress.street: at most " + MAX_TEXT + " characters");
      }
    }
    return problems;
  }
}
