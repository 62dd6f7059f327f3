package io.sagaorchestrator.order;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.order.domain.OrderData;
import io.sagaorchestrator.order.domain.OrderLine;
import io.sagaorchestrator.order.domain.ShippingAddress;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code OrderPlaced} as the first released form stored it (the fixture's bytes were written by
 * that build's serializer; the JSON beside them is the same event, readable) is read into today's
 * form, and today's form is stored under version 2.
 */
public class OrderPlacedMigrationTest {
  private static final String V1_MANIFEST = "io.sagaorchestrator.order.OrderEntity$OrderPlaced";
  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseResources("saga-serialization.conf").withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(testKit.system().classicSystem());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  public static byte[] fixture(String name) throws Exception {
    try (InputStream in = OrderPlacedMigrationTest.class.getResourceAsStream("/events/" + name)) {
      return in.readAllBytes();
    }
  }

  private static Serializer jacksonCbor() throws Exception {
    return serialization.serializerFor(OrderEntity.OrderPlaced.class);
  }

  @Test
  void theFixtureIsTheFirstFormOfTheEvent() throws Exception {
    assertEquals(new ObjectMapper().readTree(fixture("order-placed-v1.json")), new CBORMapper().readTree(fixture("order-placed-v1.cbor")));
  }

  @Test
  void readsTheFirstFormIntoTodays() throws Exception {
    Object event = serialization.deserialize(fixture("order-placed-v1.cbor"), jacksonCbor().identifier(), V1_MANIFEST).get();
    OrderData order = new OrderData("o-v1", "c-v1", List.of(new OrderLine("s-v1", 2, 1000)), new ShippingAddress("NL", "Utrecht", "Oudegracht 1"));
    assertEquals(new OrderEntity.OrderPlaced(order, null, "stored-by-version-1", Instant.parse("2026-11-20T10:15:30Z")), event);
  }

  @Test
  void storesTodaysFormUnderVersionTwoAndReadsItBack() throws Exception {
    var event = new OrderEntity.OrderPlaced(new OrderData("o-2", "c-2", List.of(new OrderLine("s-2", 1, 5)),
        new ShippingAddress("NL", "Utrecht", "Main 1")), "key", "corr", Instant.parse("2026-12-01T00:00:00Z"));
    Serializer serializer = jacksonCbor();
    String manifest = Serializers.manifestFor(serializer, event);
    assertEquals(V1_MANIFEST + "#2", manifest);
    assertEquals(event, serialization.deserialize(serializer.toBinary(event), serializer.identifier(), manifest).get());
  }
}
