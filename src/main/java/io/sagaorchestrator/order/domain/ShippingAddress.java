package io.sagaorchestrator.order.domain;

/** Where an order ships; the country is an ISO 3166 alpha-2 code such as NL. */
public record ShippingAddress(String country, String city, String street) {}
