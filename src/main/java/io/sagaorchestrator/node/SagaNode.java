package io.sagaorchestrator.node;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagaorchestrator.infra.config.JvmRuntime;
import io.sagaorchestrator.infra.config.NodeConfig;
import io.sagaorchestrator.infra.config.SagaSettings;
import io.sagaorchestrator.infra.audit.AuditCheck;
import io.sagaorchestrator.infra.audit.JournalAudit;
import io.sagaorchestrator.infra.http.Admission;
import io.sagaorchestrator.infra.http.ApiRoutes;
import akka.http.javadsl.server.Route;
import io.sagaorchestrator.infra.http.AuditRoutes;
import io.sagaorchestrator.infra.http.BearerToken;
import io.sagaorchestrator.infra.http.FaultRoutes;
import io.sagaorchestrator.infra.http.HealthRoutes;
import io.sagaorchestrator.infra.http.HttpServer;
import io.sagaorchestrator.infra.http.IdempotencyKey;
import io.sagaorchestrator.infra.http.BulkRetryRoutes;
import io.sagaorchestrator.infra.http.ReadSideRoutes;
import io.sagaorchestrator.infra.http.SagaEventStream;
import io.sagaorchestrator.infra.http.SagaTransitionStream;
import io.sagaorchestrator.infra.http.SagaOutcomeRoutes;
import io.sagaorchestrator.infra.http.SagaRoutes;
import io.sagaorchestrator.infra.metrics.EngineMetrics;
import io.sagaorchestrator.infra.metrics.NodeMetrics;
import io.sagaorchestrator.infra.persistence.H2Compaction;
import io.sagaorchestrator.infra.persistence.JdbcJournalTail;
import io.sagaorchestrator.infra.persistence.JournalWriteMetrics;
import io.sagaorchestrator.infra.persistence.EntityEvents;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.infra.readside.ReadSide;
import io.sagaorchestrator.infra.readside.ReadSideSettings;
import io.sagaorchestrator.infra.readside.StuckRule;
import io.sagaorchestrator.infra.persistence.JournalSchema;
import io.sagaorchestrator.node.ModuleContext;
import io.sagaorchestrator.node.SagaModule;
import io.sagaorchestrator.orchestrator.RunningSagas;
import io.sagaorchestrator.orchestrator.SagaDefinitions;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaKeeper;
import io.sagaorchestrator.orchestrator.SagaOutcomes;
import io.sagaorchestrator.participants.faults.FaultInjector;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Supplier;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: journal schema, actor system, cluster membership, the saga engine, the
 * installed {@link SagaModule}s, and the HTTP API. {@link #start} returns once HTTP is bound.
 */
public final class SagaNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SagaNode.class);

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final String adminToken;
  /** The H2 journal's compaction; null with PostgreSQL. */
  private final H2Compaction compaction;
  /** Completes when the actor system has terminated and the node's own resources are closed. */
  private final CompletionStage<Void> stopped;

  private SagaNode(ActorSystem<Void> system, ServerBinding binding, String adminToken, H2Compaction compaction,
      CompletionStage<Void> stopped) {
    this.system = system;
    this.binding = binding;
    this.adminToken = adminToken;
    this.compaction = compaction;
    this.stopped = stopped;
  }

  /** A node running the modules found on the classpath ({@link ServiceLoader}), less {@code saga.modules.exclude}. */
  public static SagaNode start(Config config) throws Exception {
    return start(config, List.of());
  }

  /**
   * Installs {@code modules}, and those on the classpath whose names they do not take (less
   * {@code saga.modules.exclude}), on {@code system}: their participants, definitions, routes and
   * checks, as the node runs them.
   */
  public static ModuleContext install(ActorSystem<?> system, SagaSettings settings, List<SagaModule> modules,
      MeterRegistry metrics, ReadSide readSide, Admission admission, BearerToken clientAccess) {
    FaultInjector faults = new FaultInjector(system, settings.faults());
    ModuleContext installed = new ModuleContext(system, settings, faults, SagaOutcomes.start(system), new SagaDefinitions(),
        metrics, readSide, admission, clientAccess);
    for (SagaModule module : included(modules, system.settings().config())) {
      module.install(installed);
      log.info("module {} installed", module.name());
    }
    return installed;
  }

  /**
   * A node running {@code modules} (a user's {@code main} hands over its own) and those found on
   * the classpath whose names they do not take, less {@code saga.modules.exclude}.
   */
  public static SagaNode start(Config config, List<SagaModule> modules) throws Exception {
    JournalConfig journal = JournalConfig.from(config);
    if (journal.kind() == JournalConfig.Kind.H2) Files.createDirectories(JournalConfig.dataDir(config));
    JournalSchema.createIfMissing(journal);
    SagaSettings settings = SagaSettings.from(config);

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    CompletionStage<Void> stopped = system.getWhenTerminated().thenRun(() -> {});
    H2Compaction compaction = null;
    try {
      if (journal.kind() == JournalConfig.Kind.H2) {
        compaction = H2Compaction.start(journal, H2Compaction.Settings.from(config));
        stopped = system.getWhenTerminated().thenRun(compaction::close);
      }
      Cluster cluster = Cluster.get(system);
      if (config.getStringList("akka.cluster.seed-nodes").isEmpty()) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      NodeMetrics metrics = new NodeMetrics();
      JournalWriteMetrics.get(system.classicSystem()).reportTo(metrics.registry());
      stopped = stopped.thenRun(metrics::close);
      ReadSide readSide = ReadSide.open(system, journal, ReadSideSettings.from(config), metrics.registry());
      stopped = stopped.thenRun(readSide::close);
      String adminToken = settings.http().adminToken();
      if (adminToken.isEmpty()) {
        adminToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        log.info("no saga.http.admin-token configured; generated admin token for this run: {}", adminToken);
      }
      String clientToken = settings.http().clientToken();
      BearerToken clientAccess = new BearerToken(clientToken.isEmpty() ? List.of() : List.of(clientToken, adminToken),
          "this route needs the header Authorization: Bearer <client token>");
      EngineMetrics engineMetrics = new EngineMetrics(metrics.registry());
      RunningSagas running = new RunningSagas();
      Admission admission = new Admission(running, config, metrics.registry());
      ModuleContext installed = install(system, settings, modules, metrics.registry(), readSide, admission, clientAccess);
      FaultInjector faults = installed.faults();
      SagaDefinitions definitions = installed.definitions();
      SagaEntity.init(system, definitions,
          new SagaEntity.EngineSettings(settings.engine().passivateAfterEnd(), engineMetrics, running),
          installed.outcomes());
      IdempotencyKey.init(system);
      StuckRule stuck = StuckRule.from(config, definitions);
      readSide.start(system, stuck);
      JdbcJournalTail journalTail = new JdbcJournalTail(system, journal);
      SagaKeeper.init(system, settings.keeper(), journalTail, installed.announcements(), engineMetrics);

      EntityEvents entityEvents = new EntityEvents(system, journal);
      List<Supplier<Route>> adminRoutes = new ArrayList<>();
      adminRoutes.add(new AuditRoutes(new JournalAudit(system, journal, () -> withReadSide(installed.newAuditChecks(), readSide), definitions))::route);
      adminRoutes.add(new FaultRoutes(faults)::route);
      adminRoutes.add(new SagaOutcomeRoutes(installed.outcomes())::route);
      adminRoutes.add(new ReadSideRoutes(readSide)::route);
      adminRoutes.add(new BulkRetryRoutes(system, readSide, stuck, settings.http().askTimeout(),
          settings.http().bulkRetryPerSecond())::route);
      adminRoutes.addAll(installed.adminRoutes());
      var routes = new ApiRoutes(
          new SagaRoutes(system, definitions, readSide, stuck, new SagaEventStream(system, entityEvents),
              new SagaTransitionStream(system, journalTail, entityEvents, settings.keeper().gapTimeout()),
              admission, settings.http().askTimeout(), settings.http().askAttempts()),
          new HealthRoutes(() -> readiness(system, journal, admission)),
          installed.routes(),
          adminRoutes,
          adminToken,
          metrics);
      ServerBinding binding = HttpServer.start(system, routes.route(), settings.http().host(), settings.http().port())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      log.info("saga-orchestrator node {} listening on http://{}:{} (journal: {})", cluster.selfMember().address(),
          binding.localAddress().getHostString(), binding.localAddress().getPort(), journal.kind());
      JvmRuntime jvm = JvmRuntime.current();
      log.info("{}{}", jvm.describe(), jvm.parallelGc() || jvm.cores() > 4 ? ""
          : "; on few cores -XX:+UseParallelGC gives a shorter latency tail than G1 (docs/benchmarks.md)");
      return new SagaNode(system, binding, adminToken, compaction, stopped);
    } catch (Exception | Error e) {
      system.terminate();
      throw e;
    }
  }

  private static List<AuditCheck> withReadSide(List<AuditCheck> moduleChecks, ReadSide readSide) {
    List<AuditCheck> checks = new ArrayList<>(moduleChecks);
    readSide.newAuditCheck().ifPresent(checks::add);
    return checks;
  }

  private static List<SagaModule> included(List<SagaModule> given, Config config) {
    Set<String> excluded = Set.copyOf(config.getStringList("saga.modules.exclude"));
    Map<String, SagaModule> byName = new LinkedHashMap<>();
    given.forEach(module -> byName.putIfAbsent(module.name(), module));
    ServiceLoader.load(SagaModule.class).forEach(module -> byName.putIfAbsent(module.name(), module));
    return byName.values().stream().filter(module -> !excluded.contains(module.name())).toList();
  }

  /** Ready: this node is an Up cluster member, the journal's database answers, and it admits new sagas. */
  private static CompletionStage<Map<String, Boolean>> readiness(ActorSystem<?> system, JournalConfig journal,
      Admission admission) {
    boolean memberUp = Cluster.get(system).selfMember().status() == MemberStatus.up();
    return CompletableFuture.supplyAsync(() -> {
      try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password())) {
        return connection.isValid(2);
      } catch (Exception e) {
        return false;
      }
    }, system.dispatchers().lookup(DispatcherSelector.blocking())).thenApply(journalReachable -> {
      Map<String, Boolean> checks = new LinkedHashMap<>();
      checks.put("clusterMemberUp", memberUp);
      checks.put("journalReachable", journalReachable);
      checks.put("admitting", !admission.atCapacity());
      return checks;
    });
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  public String adminToken() {
    return adminToken;
  }

  /** True once the H2 journal's compaction has nothing left to rewrite since the last commit; always with PostgreSQL. */
  public boolean journalCompactionCaughtUp() {
    return compaction == null || compaction.caughtUp();
  }

  /**
   * Runs coordinated shutdown (HTTP unbinds, shards hand over, journal closes) and waits for it,
   * and for the H2 file to be closed: a caller may delete the data directory next.
   */
  @Override
  public void close() {
    system.terminate();
    stopped.toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
  }
}
