package io.sagaorchestrator.order.domain;

/** One line of an order: how many of a SKU, at which unit price (integer cents). */
public record OrderLine(String sku, int quantity, long unitPriceCents) {
  public long lineTotalCents() {
    return Math.multiplyExact(quantity, unitPriceCents);
  }
}
