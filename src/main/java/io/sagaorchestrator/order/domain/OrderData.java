package io.sagaorchestrator.order.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The order as the saga sees it: validated, with one line per SKU. */
public record OrderData(String orderId, String customerId, List<OrderLine> items, ShippingAddress shippingAddress) {

  public OrderData {
    items = List.copyOf(items);
  }

  public long totalCents() {
    return items.stream().mapToLong(OrderLine::lineTotalCents).reduce(0L, Math::addExact);
  }

  /** Quantity per SKU, in first-seen order. */
  public Map<String, Integer> quantitiesBySku() {
    Map<String, Integer> bySku = new LinkedHashMap<>();
    items.forEach(line -> bySku.merge(line.sku(), line.quantity(), Math::addExact));
    return bySku;
  }
}
