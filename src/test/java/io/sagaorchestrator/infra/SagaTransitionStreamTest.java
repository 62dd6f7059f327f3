package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.ServerSentEvents;
import io.sagaorchestrator.testsupport.ServerSentEvents.Sse;
import io.sagaorchestrator.testsupport.TestConfig;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /events} (docs/design.md §5): every saga transition as server-sent events with the
 * journal offset as id, filtered by definition and status, resumable with {@code Last-Event-ID}.
 */
class SagaTransitionStreamTest {
  private static final Set<String> ENDED = Set.of("COMPLETED", "COMPENSATED");
  private static DataDir dataDir;
  private static SagaNode node;
  private static NodeClient api;
  private static Orders orders;
  private static String customer;
  private static String sku;

  @BeforeAll
  static void startNode() throws Exception {
    dataDir = new DataDir("saga-transitions");
    node = SagaNode.start(TestConfig.node(dataDir.path()));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
    orders = new Orders(api);
    customer = Orders.uniqueId("c");
    sku = Orders.uniqueId("s");
    orders.deposit(customer, 100_000);
    orders.restock(sku, 100);
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  @Test
  void followsEveryTransitionInJournalOrderAndResumesAfterTheLastIdSeen() throws Exception {
    HttpResponse<Stream<String>> live = ServerSentEvents.open(node.httpPort(), "/events", null);
    assertEquals(200, live.statusCode());
    String completes = Orders.uniqueId("o");
    String compensates = Orders.uniqueId("o");
    orders.place(completes, customer, sku, 1, 100, "NL");
    orders.place(compensates, customer, sku, 1, 100, "XX");
    List<Sse> seen = untilBothEnd(live, completes, compensates);

    for (int i = 1; i < seen.size(); i++) {
      assertTrue(Long.parseLong(seen.get(i).id()) > Long.parseLong(seen.get(i - 1).id()), "ids follow the journal: " + seen);
    }
    for (String sagaId : List.of(completes, compensates)) {
      List<String> history = api.get("/sagas/" + sagaId).json().get("history").findValuesAsText("type");
      assertEquals(history, entryTypes(seen, sagaId), "the stream carries the saga's whole history, in order");
      assertTrue(of(seen, sagaId).stream().allMatch(e -> e.data().get("definition").asText().equals("order")));
    }
    assertEquals("COMPENSATED", last(of(seen, compensates)).data().get("status").asText());

    Sse resumeAfter = of(seen, completes).get(1);
    HttpResponse<Stream<String>> resumed = ServerSentEvents.open(node.httpPort(), "/events", resumeAfter.id());
    List<Sse> rest = untilBothEnd(resumed, completes, compensates);
    assertEquals(seen.subList(seen.indexOf(resumeAfter) + 1, seen.size()), rest,
        "exactly the transitions after the last id seen, with the sagas' definition and status though they started before it");
  }

  @Test
  void sendsOnlyTheTransitionsTheFilterAsksFor() throws Exception {
    HttpResponse<Stream<String>> compensations = ServerSentEvents.open(node.httpPort(), "/events?definition=order&status=COMPENSATED", null);
    String completes = Orders.uniqueId("o");
    orders.place(completes, customer, sku, 1, 100, "NL");
    orders.awaitSettled(completes);
    String compensates = Orders.uniqueId("o");
    orders.place(compensates, customer, sku, 1, 100, "XX");

    Sse first = ServerSentEvents.events(compensations.body()).next();
    compensations.body().close();
    assertEquals("transition", first.event());
    assertEquals(compensates, first.data().get("sagaId").asText());
    assertEquals("COMPENSATED", first.data().get("status").asText());
    assertEquals("SagaCompensated", last(first.data().get("entries").findValuesAsText("type")));
  }

  @Test
  void answers400NamingTheFieldForABadFilterOrLastEventId() throws Exception {
    HttpResponse<Stream<String>> badStatus = ServerSentEvents.open(node.httpPort(), "/events?status=DONE", null);
    assertEquals(400, badStatus.statusCode());
    assertTrue(badStatus.body().reduce("", String::concat).contains("\"status\""));
    HttpResponse<Stream<String>> badId = ServerSentEvents.open(node.httpPort(), "/events", "yesterday");
    assertEquals(400, badId.statusCode());
    assertTrue(badId.body().reduce("", String::concat).contains("Last-Event-ID"));
  }

  /** The transitions of the two sagas, read until both have ended (other sagas' left out). */
  private static List<Sse> untilBothEnd(HttpResponse<Stream<String>> response, String first, String second) {
    Iterator<Sse> stream = ServerSentEvents.events(response.body());
    List<Sse> received = new ArrayList<>();
    Set<String> ended = new HashSet<>();
    while (ended.size() < 2) {
      Sse event = stream.next();
      String sagaId = event.data().path("sagaId").asText();
      if (!sagaId.equals(first) && !sagaId.equals(second)) continue;
      received.add(event);
      if (ENDED.contains(event.data().get("status").asText())) ended.add(sagaId);
    }
    response.body().close();
    return received;
  }

  private static List<Sse> of(List<Sse> events, String sagaId) {
    return events.stream().filter(e -> e.data().get("sagaId").asText().equals(sagaId)).toList();
  }

  private static List<String> entryTypes(List<Sse> events, String sagaId) {
    return of(events, sagaId).stream().flatMap(e -> e.data().get("entries").findValuesAsText("type").stream()).toList();
  }

  private static <T> T last(List<T> items) {
    return items.get(items.size() - 1);
  }
}
