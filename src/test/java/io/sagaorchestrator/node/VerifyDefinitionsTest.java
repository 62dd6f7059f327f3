package io.sagaorchestrator.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.pattern.StatusReply;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.sagaorchestrator.Main;
import io.sagaorchestrator.infra.audit.AuditReport;
import io.sagaorchestrator.infra.audit.JournalAudit;
import io.sagaorchestrator.infra.audit.SagaAudit;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.infra.persistence.JournalSchema;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaData;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.SagaDefinitions;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaOutcomes;
import io.sagaorchestrator.orchestrator.StepAction;
import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.TestConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code verify-definitions} against a real journal: two trips in flight on trip@v1 (their hotel
 * never answers) and a cruise that has ended, judged against builds with and without trip@v1.
 */
class VerifyDefinitionsTest {
  public record Trip(String tripId) {}

  private static final RetryPolicy ONCE = RetryPolicy.exponential(1, Duration.ofMillis(100), Duration.ofMillis(100), 0.0);
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final StepAction<Trip> NEVER_ANSWERS = (trip, context) -> new CompletableFuture<>();
  private static final StepAction<Trip> SUCCEEDS = (trip, context) -> CompletableFuture.completedFuture(StepOutcome.succeeded());

  private static DataDir dataDir;
  private static Config config;
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() throws Exception {
    dataDir = new DataDir("verify");
    config = TestConfig.node(dataDir.path());
    Files.createDirectories(dataDir.path());
    JournalSchema.createIfMissing(JournalConfig.from(config));
    testKit = ActorTestKit.create("verify", config);
    SagaDefinitions running = new SagaDefinitions()
        .register(trip(1, List.of("hotel", "flight")))
        .register(SagaDefinition.builder("cruise", 3, Trip.class).step("cabin", step -> step.action(SUCCEEDS).compensation(SUCCEEDS).retry(ONCE).timeout(TIMEOUT)).build());
    run(running, "trip");
    run(running, "trip");
    ActorRef<SagaEntity.Command> cruise = run(running, "cruise");
    TestProbe<StatusReply<SagaEntity.Summary>> settled = testKit.createTestProbe();
    cruise.tell(new SagaEntity.AwaitSettled(settled.getRef()));
    assertEquals(SagaEntity.SagaStatus.COMPLETED, settled.receiveMessage(Duration.ofSeconds(10)).getValue().status());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    dataDir.close();
  }

  private static SagaDefinition<Trip> trip(int version, List<String> steps) {
    var builder = SagaDefinition.builder("trip", version, Trip.class);
    for (String name : steps) builder.step(name, step -> step.action(NEVER_ANSWERS).compensation(SUCCEEDS).retry(ONCE).timeout(TIMEOUT));
    return builder.build();
  }

  /** Starts a saga of {@code definition}, stored before this returns. */
  private static ActorRef<SagaEntity.Command> run(SagaDefinitions definitions, String definition) {
    String sagaId = definition + "-" + UUID.randomUUID();
    TestProbe<SagaOutcomes.Command> outcomes = testKit.createTestProbe();
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    var saga = testKit.spawn(SagaEntity.create(sagaId, definitions,
        new SagaEntity.EngineSettings(Duration.ofMinutes(1)), outcomes.getRef(), shard.getRef()));
    TestProbe<StatusReply<akka.Done>> started = testKit.createTestProbe();
    saga.tell(new SagaEntity.StartSaga(definition, SagaData.toTree(new Trip(sagaId)), "corr-" + sagaId, false, started.getRef()));
    assertTrue(started.receiveMessage(Duration.ofSeconds(10)).isSuccess());
    return saga;
  }

  private static List<SagaAudit.InFlight> inFlight() {
    return VerifyDefinitionsCommand.inJournal(testKit.system(), JournalConfig.from(config));
  }

  private static String verdict(SagaDefinitions build, int expectedExit) {
    StringWriter text = new StringWriter();
    assertEquals(expectedExit, VerifyDefinitionsCommand.verdict(inFlight(), build, new PrintWriter(text)), text::toString);
    return text.toString();
  }

  @Test
  void countsTheSagasInFlightPerPinnedVersionAndSteps() {
    assertEquals(List.of(new SagaAudit.InFlight("trip", 1, List.of("hotel", "flight"), 2)), inFlight());
  }

  @Test
  void passesABuildThatHasEveryPinnedVersion() {
    String said = verdict(new SagaDefinitions().register(trip(1, List.of("hotel", "flight"))).register(trip(2, List.of("hotel"))), 0);
    assertEquals("ok: this build can run every one of the 2 sagas in flight (1 definition versions)\n", said);
  }

  @Test
  void failsABuildWithoutTheVersionOrWithItsStepsRenamed() {
    String dropped = verdict(new SagaDefinitions().register(trip(2, List.of("hotel", "flight"))), 1);
    assertTrue(dropped.contains("trip@v1 [hotel, flight]: 2 sagas — definition trip@v1 is not registered on this node"
        + " (it has trip versions [2])"), dropped);
    String renamed = verdict(new SagaDefinitions().register(trip(1, List.of("hotel", "plane"))), 1);
    assertTrue(renamed.contains("definition trip@v1 on this node has steps [hotel, plane], the saga started with [hotel, flight]"),
        renamed);
  }

  @Test
  void readsTheSameFromARunningNodesAuditAnswer() {
    AuditReport report = new JournalAudit(testKit.system(), JournalConfig.from(config), List::of, null).run().toCompletableFuture().join();
    var json = new ObjectMapper().findAndRegisterModules().valueToTree(report);
    assertEquals(inFlight(), VerifyDefinitionsCommand.fromAudit(json));
  }

  @Test
  void theAuditCountsSagasItsNodeCannotRunAsBlocked() {
    SagaDefinitions node = new SagaDefinitions().register(trip(2, List.of("hotel")));
    AuditReport report = new JournalAudit(testKit.system(), JournalConfig.from(config), List::of, node).run().toCompletableFuture().join();
    Map<String, Long> sagas = report.section("sagas");
    assertEquals(2L, sagas.get("BLOCKED"));
    assertEquals(0L, sagas.get("RUNNING"));
    assertEquals(1L, sagas.get("COMPLETED"));
    assertTrue(report.violations().stream().anyMatch(v -> v.contains("BLOCKED while RUNNING (definition trip@v1 is not registered")),
        report.violations()::toString);
  }

  @Test
  void theSubcommandReadsTheJournalOfTheNodesConfigurationWithThisBuildsModules() throws Exception {
    StringWriter out = new StringWriter();
    // This build's modules run the order saga, not the trips.
    assertEquals(1, verifyDefinitions(dataDir.path(), out), out::toString);
    assertTrue(out.toString().contains("trip@v1 [hotel, flight]: 2 sagas — definition trip@v1 is not registered on this node (no version of trip)"),
        out::toString);
  }

  @Test
  void theSubcommandCannotPassADataDirectoryWithoutAJournal() throws Exception {
    try (DataDir empty = new DataDir("verify-empty")) {
      StringWriter err = new StringWriter();
      assertEquals(2, verifyDefinitions(empty.path(), err), err::toString);
      assertTrue(err.toString().contains("no H2 journal at"), err::toString);
      assertTrue(!Files.exists(empty.path().resolve("journal.mv.db")), "the check creates no journal");
    }
  }

  /** Runs {@code verify-definitions} through the jar's entry point on a node configuration whose data directory is {@code data}. */
  private static int verifyDefinitions(Path data, StringWriter output) throws Exception {
    Path conf = Files.createTempFile(dataDir.path(), "verify", ".conf");
    Files.writeString(conf, "saga.data-dir = \"" + data.toString().replace("\\", "\\\\") + "\"\n");
    String before = System.setProperty("config.file", conf.toString());
    try {
      return new CommandLine(new Main()).setOut(new PrintWriter(output)).setErr(new PrintWriter(output)).execute("verify-definitions");
    } finally {
      if (before == null) System.clearProperty("config.file");
      else System.setProperty("config.file", before);
    }
  }
}
