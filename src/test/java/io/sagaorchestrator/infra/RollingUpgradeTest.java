package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.node.ModuleContext;
import io.sagaorchestrator.node.SagaModule;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.StepAction;
import io.sagaorchestrator.orchestrator.StepContext;
import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.PostgresDatabase;
import io.sagaorchestrator.testsupport.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docs/design.md §3.11 in a rolling upgrade of a two-node cluster on one PostgreSQL journal: trips
 * started on trip@v1 (one step, "hotel", whose participant answers only when the test releases
 * it) stay in flight while each node in turn leaves and is replaced by a build with v1 and v2. New
 * trips then start on v2; once released, every old trip finishes COMPLETED on v1 with its stored
 * step name and key, none ran its step twice, and the audit is clean. In the middle a node with
 * v2 only joins: the old trips whose shards it takes show BLOCKED there, and resume by themselves
 * once it has left.
 */
class RollingUpgradeTest {
  private static final Logger LOG = LoggerFactory.getLogger(RollingUpgradeTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final RetryPolicy ONCE = RetryPolicy.exponential(1, Duration.ZERO, Duration.ZERO, 0);
  private static final int OLD_TRIPS = 10;
  private static final int NEW_TRIPS = 4;

  public record Trip(String traveller) {}

  /** One call a participant received, on the node that made it. */
  record Call(String node, String key, int attempt, boolean compensation) {}

  /**
   * The trips' participant, shared by every node of this JVM, applying each idempotency key at
   * most once and answering repeats with the original outcome (docs/design.md §3.3). v1's hotel
   * answers nothing until {@link #release}; v2's steps answer at once.
   */
  static final class TripDesk {
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    /** The keys applied: a repeat of one (a moved saga re-sends its step) is answered without applying it again. */
    private final Set<String> applied = ConcurrentHashMap.newKeySet();

    StepAction<Trip> heldAction(String node) {
      return (trip, step) -> {
        calls.add(new Call(node, step.idempotencyKey(), step.attempt(), false));
        return released.thenApply(done -> book(step));
      };
    }

    StepAction<Trip> action(String node) {
      return (trip, step) -> {
        calls.add(new Call(node, step.idempotencyKey(), step.attempt(), false));
        return CompletableFuture.completedFuture(book(step));
      };
    }

    StepAction<Trip> compensation(String node) {
      return (trip, step) -> {
        calls.add(new Call(node, step.idempotencyKey(), step.attempt(), true));
        return CompletableFuture.completedFuture(StepOutcome.succeeded());
      };
    }

    private StepOutcome book(StepContext step) {
      applied.add(step.idempotencyKey());
      return StepOutcome.succeeded();
    }

    void release() {
      released.complete(null);
    }

    List<Call> callsFor(String sagaId) {
      return calls.stream().filter(call -> call.key().startsWith(sagaId + ":")).toList();
    }
  }

  /**
   * A build's trip module: v1 is one step, "hotel"; v2 renames and adds steps ("reserve-hotel",
   * "book-flight"), so a v1 trip can only be run by a build that still has v1.
   */
  record TripModule(String node, List<Integer> versions, TripDesk desk) implements SagaModule {
    @Override
    public String name() {
      return "trip";
    }

    @Override
    public void install(ModuleContext context) {
      for (int version : versions) {
        var definition = SagaDefinition.builder("trip", version, Trip.class);
        if (version == 1) {
          definition.step("hotel", step -> step.action(desk.heldAction(node)).compensation(desk.compensation(node))
              .retry(ONCE).timeout(Duration.ofMinutes(5)));
        } else {
          definition.step("reserve-hotel", step -> step.action(desk.action(node)).compensation(desk.compensation(node))
                  .retry(ONCE).timeout(Duration.ofSeconds(10)))
              .step("book-flight", step -> step.action(desk.action(node)).compensation(desk.compensation(node))
                  .retry(ONCE).timeout(Duration.ofSeconds(10)));
        }
        context.definition(definition.build());
      }
    }
  }

  @Test
  void aRollingUpgradeOfATwoNodeClusterWhereOldSagasFinishOnTheirVersion() throws Exception {
    TripDesk desk = new TripDesk();
    List<SagaNode> running = new ArrayList<>();
    try (PostgresDatabase database = PostgresDatabase.createOrSkip(); DataDir dataDir = new DataDir("rolling")) {
      try {
        SagaNode a = start(running, database, dataDir, null, new TripModule("A", List.of(1), desk));
        SagaNode b = start(running, database, dataDir, a, new TripModule("B", List.of(1), desk));
        awaitMembers(b, a, b);

        List<String> oldTrips = new ArrayList<>();
        for (int i = 0; i < OLD_TRIPS; i++) {
          String sagaId = "trip-old-" + UUID.randomUUID();
          assertEquals(202, send(i % 2 == 0 ? a : b, "POST", "/sagas", start(sagaId)).statusCode());
          oldTrips.add(sagaId);
        }
        for (String sagaId : oldTrips) {
          assertEquals(1, awaitStatus(b, sagaId, "RUNNING").path("definitionVersion").asInt());
          Eventually.within(SETTLE, () -> assertTrue(!desk.callsFor(sagaId).isEmpty(), sagaId + " called its hotel"));
        }

        // A leaves gracefully (its shards hand over to B) and A' (v1 and v2) joins B.
        stop(running, a);
        SagaNode a2 = start(running, database, dataDir, b, new TripModule("A'", List.of(1, 2), desk));
        awaitMembers(b, b, a2);
        for (String sagaId : oldTrips) awaitStatus(a2, sagaId, "RUNNING");

        // Then B: every shard is on A' until B' (v1 and v2) joins it.
        stop(running, b);
        SagaNode b2 = start(running, database, dataDir, a2, new TripModule("B'", List.of(1, 2), desk));
        awaitMembers(a2, a2, b2);
        for (String sagaId : oldTrips) awaitStatus(b2, sagaId, "RUNNING");

        // Before any new trip, so that the shards C takes are old trips' shards.
        blockedOnANodeWithoutV1(running, database, dataDir, desk, a2, b2, oldTrips);

        List<String> newTrips = new ArrayList<>();
        for (int i = 0; i < NEW_TRIPS; i++) {
          String sagaId = "trip-new-" + UUID.randomUUID();
          assertEquals(202, send(i % 2 == 0 ? a2 : b2, "POST", "/sagas", start(sagaId)).statusCode());
          newTrips.add(sagaId);
        }
        for (String sagaId : newTrips) {
          JsonNode done = awaitStatus(a2, sagaId, "COMPLETED");
          assertEquals(2, done.path("definitionVersion").asInt(), done.toString());
          assertEquals(List.of("reserve-hotel", "book-flight"), stepNames(done), done.toString());
        }

        desk.release();
        for (String sagaId : oldTrips) {
          JsonNode done = awaitStatus(b2, sagaId, "COMPLETED");
          assertEquals(1, done.path("definitionVersion").asInt(), done.toString());
          assertEquals(List.of("hotel"), stepNames(done), done.toString());
          JsonNode hotel = done.path("steps").path(0);
          assertEquals("SUCCEEDED", hotel.path("status").asText(), done.toString());
          assertEquals(1, hotel.path("attempts").asInt(), "one attempt stored: " + done);
          assertEquals(1, successesOf(done, "hotel"), "the hotel step succeeded once: " + done);

          // Every call, on whichever node ran the trip at the time, carried the stored step's key and the
          // same attempt: a trip whose shard moved re-sends its step as it recovers (docs/design.md §3.3,
          // §3.11), and the participant's record of the key answers the repeat without applying it again.
          List<Call> calls = desk.callsFor(sagaId);
          assertEquals(Set.of(new Call("", sagaId + ":hotel", 1, false)),
              calls.stream().map(call -> new Call("", call.key(), call.attempt(), call.compensation())).collect(Collectors.toSet()),
              sagaId + " calls " + calls);
          LOG.info("{} called hotel from {}", sagaId, calls.stream().map(Call::node).toList());
        }

        Set<String> expected = new HashSet<>();
        oldTrips.forEach(sagaId -> expected.add(sagaId + ":hotel"));
        newTrips.forEach(sagaId -> expected.addAll(List.of(sagaId + ":reserve-hotel", sagaId + ":book-flight")));
        assertEquals(expected, desk.applied, "each trip's steps applied, under their stored names");
        assertEquals(List.of(), desk.calls.stream().filter(Call::compensation).toList(), "nothing compensated");

        for (SagaNode node : List.of(a2, b2)) {
          JsonNode audit = awaitCleanAudit(node);
          assertEquals(OLD_TRIPS + NEW_TRIPS, audit.path("sagas").path("COMPLETED").asInt(), audit.toString());
          assertEquals(0, audit.path("sagas").path("BLOCKED").asInt(), audit.toString());
        }
      } finally {
        for (int i = running.size() - 1; i >= 0; i--) running.get(i).close();
      }
    }
  }

  /**
   * A build that dropped v1 joins the upgraded cluster: it counts every old trip as BLOCKED in its
   * audit, shows BLOCKED those whose shards it takes, and dispatches nothing for them; after it has
   * left, they run again on A' and B' by themselves.
   */
  private void blockedOnANodeWithoutV1(List<SagaNode> running, PostgresDatabase database, DataDir dataDir, TripDesk desk,
      SagaNode a2, SagaNode b2, List<String> oldTrips) throws Exception {
    SagaNode c = start(running, database, dataDir, a2, new TripModule("C", List.of(2), desk));
    awaitMembers(a2, a2, b2, c);

    JsonNode audit = json(send(c, "GET", "/admin/audit", null, "Authorization", "Bearer " + c.adminToken()));
    assertEquals(OLD_TRIPS, audit.path("sagas").path("BLOCKED").asInt(), audit.toString());

    // Shards rebalance to C every rebalance-interval; a trip there shows BLOCKED through any node's API.
    List<String> blocked = new ArrayList<>();
    Eventually.within(SETTLE, () -> {
      blocked.clear();
      for (String sagaId : oldTrips) {
        JsonNode saga = json(send(a2, "GET", "/sagas/" + sagaId, null));
        if (!saga.path("status").asText().equals("BLOCKED")) continue;
        assertEquals("definition trip@v1 is not registered on this node (it has trip versions [2]) (the saga was RUNNING)",
            saga.path("reason").asText(), saga.toString());
        blocked.add(sagaId);
      }
      assertTrue(!blocked.isEmpty(), "no old trip's shard has moved to C yet");
    });
    LOG.info("BLOCKED on C: {}", blocked);
    assertEquals(List.of(), blocked.stream().flatMap(sagaId -> desk.callsFor(sagaId).stream()).filter(call -> call.node().equals("C")).toList(),
        "C dispatches nothing for a trip it cannot run");

    Map<String, Integer> callsBefore = blocked.stream().collect(Collectors.toMap(sagaId -> sagaId, sagaId -> desk.callsFor(sagaId).size()));
    stop(running, c);
    awaitMembers(a2, a2, b2);
    for (String sagaId : blocked) {
      awaitStatus(b2, sagaId, "RUNNING");
      Eventually.within(SETTLE, () -> assertTrue(desk.callsFor(sagaId).size() > callsBefore.get(sagaId),
          sagaId + " called its hotel again from A' or B'"));
    }
  }

  private static SagaNode start(List<SagaNode> running, PostgresDatabase database, DataDir dataDir, SagaNode seed,
      TripModule module) throws Exception {
    String seedNodes = seed == null ? "" : "127.0.0.1:" + remotePort(seed);
    // A shorter stall-after and rebalance-interval than the defaults, so moved trips wake and shards
    // reach a joining node within seconds.
    SagaNode node = SagaNode.start(TestConfig.node(dataDir.path(), """
        saga.journal = postgres
        saga.db.url = "%s"
        saga.db.user = "%s"
        saga.db.password = "%s"
        saga.cluster.seed-nodes = "%s"
        saga.keeper.stall-after = 2s
        akka.cluster.sharding.rebalance-interval = 2s
        akka.cluster.jmx.multi-mbeans-in-same-jvm = on
        """.formatted(database.url(), PostgresDatabase.USER, PostgresDatabase.PASSWORD, seedNodes)), List.of(module));
    running.add(node);
    LOG.info("node {} ({} versions {}) at {}", module.node(), module.name(), module.versions(), address(node));
    return node;
  }

  /** A graceful leave: coordinated shutdown hands the node's shards over before the system stops. */
  private static void stop(List<SagaNode> running, SagaNode node) {
    node.close();
    running.remove(node);
  }

  private static Address address(SagaNode node) {
    return Cluster.get(node.system()).selfMember().address();
  }

  private static int remotePort(SagaNode node) {
    return address(node).getPort().orElseThrow();
  }

  /** {@code observer} sees exactly {@code members} in the cluster, all Up. */
  private static void awaitMembers(SagaNode observer, SagaNode... members) {
    Set<Address> wanted = Arrays.stream(members).map(RollingUpgradeTest::address).collect(Collectors.toSet());
    Eventually.within(SETTLE, () -> {
      Iterable<Member> state = Cluster.get(observer.system()).state().getMembers();
      Set<Address> up = StreamSupport.stream(state.spliterator(), false).filter(m -> m.status() == MemberStatus.up())
          .map(Member::address).collect(Collectors.toSet());
      Set<Address> all = StreamSupport.stream(state.spliterator(), false).map(Member::address).collect(Collectors.toSet());
      assertEquals(wanted, up, "Up members");
      assertEquals(wanted, all, "members");
    });
  }

  private static List<String> stepNames(JsonNode saga) {
    return StreamSupport.stream(saga.path("steps").spliterator(), false).map(step -> step.path("name").asText()).toList();
  }

  private static long successesOf(JsonNode saga, String step) {
    return StreamSupport.stream(saga.path("history").spliterator(), false)
        .filter(entry -> entry.path("type").asText().equals("StepSucceeded") && entry.path("step").asText().equals(step))
        .count();
  }

  private static String start(String sagaId) {
    return "{\"definition\": \"trip\", \"sagaId\": \"" + sagaId + "\", \"data\": {\"traveller\": \"ada\"}}";
  }

  private static JsonNode awaitCleanAudit(SagaNode node) {
    JsonNode[] audit = new JsonNode[1];
    Eventually.within(SETTLE, () -> {
      audit[0] = json(send(node, "GET", "/admin/audit", null, "Authorization", "Bearer " + node.adminToken()));
      assertTrue(audit[0].path("ok").asBoolean(), audit[0].toString());
    });
    return audit[0];
  }

  private static HttpResponse<String> send(SagaNode node, String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (headers.length > 0) request.headers(headers);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  private static JsonNode awaitStatus(SagaNode node, String sagaId, String status) {
    JsonNode[] saga = new JsonNode[1];
    Eventually.within(SETTLE, () -> {
      saga[0] = json(send(node, "GET", "/sagas/" + sagaId, null));
      assertEquals(status, saga[0].path("status").asText(), saga[0].toString());
    });
    return saga[0];
  }
}
