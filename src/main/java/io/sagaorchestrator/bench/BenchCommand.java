package io.sagaorchestrator.bench;

import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.client.AuditResult;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.client.Polling;
import io.sagaorchestrator.infra.config.JvmRuntime;
import io.sagaorchestrator.infra.config.NodeConfig;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar saga-orchestrator.jar bench}: throughput, latency and correctness in one run.
 * It measures the journal's raw write limit, starts a node in this JVM (or uses the nodes given
 * with {@code --url}), seeds credit and stock, places the orders over HTTP, follows each one to
 * its terminal status, runs the audit, and writes {@code report.json} and {@code report.svg}.
 * With {@code --saga trip} it starts trip sagas against booking services of its own instead.
 *
 * <p>Exit code: 0 when every order ended and the audit holds; 1 when the audit fails; 2 for
 * invalid options; 3 when the bench could not run; 4 when orders were refused or never ended.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    exitCodeOnExecutionException = 3,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every order ended and the audit holds", "1:the audit found violations", "2:invalid options",
        "3:the bench could not run", "4:orders were refused or did not end in time"},
    description = {
        "Load generator and consistency check: places orders over HTTP, sees each reach its terminal status on the nodes' "
            + "outcome streams (GET /admin/order-outcomes) or with long polls (GET /orders/{id}?waitMs=…), and reports sagas/s, latency, journal events/s against the journal's raw write limit, heap, "
            + "and the audit. Without --url it starts its own node in this JVM on a fresh data directory. With --saga trip it starts trip "
            + "sagas (POST /sagas) against booking services of its own instead, and follows them with GET /sagas/{id}?waitMs=…."})
public final class BenchCommand implements Callable<Integer> {
  private static final int LIMIT_PARALLEL_WRITERS = 8;
  private static final Duration READY_DEADLINE = Duration.ofSeconds(60);
  private static final Duration AUDIT_TIMEOUT = Duration.ofMinutes(30);
  /** While sagas still run or compensate, the audit is asked again, for up to this long. */
  private static final Duration AUDIT_QUIET_DEADLINE = Duration.ofSeconds(30);
  private static final Duration AUDIT_PAUSE = Duration.ofSeconds(1);

  @Spec CommandSpec spec;
  @Mixin BenchOptions options;

  private PrintWriter out;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    String problem = options.problem();
    if (problem != null) throw new CommandLine.ParameterException(spec.commandLine(), problem);
    String runId = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    Instant startedAt = Instant.now();
    String following = following();
    if (options.runsTrips()) {
      out.printf(Locale.ROOT, "saga-orchestrator bench %s: %,d trips (%,d warm-up), %d in flight, %.0f %% asking for car \"%s\", which the car "
          + "rental refuses (the trip compensates)%n", runId, options.orders, options.warmup, options.concurrency, options.compensateShare * 100,
          TripPlan.REFUSED_CAR);
      out.println("trips are followed to their terminal status by " + following);
    } else {
      out.printf(Locale.ROOT, "saga-orchestrator bench %s: %,d orders (%,d warm-up), %d in flight, %.0f %% to country %s, %d customers, %d SKUs%n",
          runId, options.orders, options.warmup, options.concurrency, options.compensateShare * 100, OrderPlan.UNSERVED_COUNTRY,
          options.customers, options.skus);
      out.println("orders are followed to their terminal status by " + following);
    }
    JvmRuntime jvm = JvmRuntime.current();
    out.println("JVM: " + jvm.describe());
    out.flush();

    Path nodeLog = options.reportDir.resolve("node.log");
    AutoCloseable logs = options.verbose ? () -> {} : NodeLog.toFile(nodeLog);
    if (!options.verbose) out.println("the node's log goes to " + nodeLog.toAbsolutePath() + " (--verbose: to the console)");
    try (BenchHttp http = BenchHttp.open(); logs) {
      JournalLimit.Result limit = measureLimit();
      try (LoopbackParticipants participants = startParticipants(); BenchTarget target = startTarget(runId, participants)) {
        out.println("target: " + target.describe());
        if (participants != null) out.println(participants.describe());
        out.flush();
        List<NodeClient> nodes = http.nodes(target);
        CompletableFuture.allOf(nodes.stream().map(node -> node.awaitReady(READY_DEADLINE)).toArray(CompletableFuture[]::new)).join();
        LoadResult load = placeAndFollow(nodes, target, runId);
        AuditResult audit = auditWhenQuiet(nodes.get(0));
        BenchReport.ReadSideLag readSideLag = BenchReport.ReadSideLag.from(nodes.get(0).adminGet("/admin/read-side"));
        OptionalLong heap = target.heapAfterGc(out);
        BenchReport report = BenchReport.of(startedAt, options.setup(following, target.describe()), jvm, options.journal, limit, load,
            audit, heap, readSideLag);
        report.write(options.reportDir);
        out.println();
        out.println("summary (" + target.describe() + "):");
        out.print(report.summary());
        out.println("report: " + options.reportDir.resolve("report.json").toAbsolutePath() + ", chart: "
            + options.reportDir.resolve("report.svg").toAbsolutePath());
        out.flush();
        if (!audit.ok()) return 1;
        return load.unfinished() > 0 || load.rejectedPlacements() > 0 ? 4 : 0;
      }
    }
  }

  /** How orders are seen to end, for the console and the report. */
  private String following() {
    String longPolls = options.runsTrips()
        ? String.format(Locale.ROOT, "long polls: GET /sagas/{id}?waitMs=%d, answered when the saga ends, asked again when the wait is up",
            options.waitMs)
        : String.format(Locale.ROOT, "long polls: GET /orders/{id}?waitMs=%d, answered when the order ends, asked again when the wait is up",
            options.waitMs);
    return options.followMode() == OrderFollower.Mode.STREAM
        ? "the outcome stream of every node (GET /admin/order-outcomes, server-sent events); an order not shown ended within "
            + StreamFollower.PATIENCE_SECONDS + " s, by " + longPolls
        : longPolls;
  }

  private JournalConfig postgresServer() {
    return new JournalConfig(JournalConfig.Kind.POSTGRES, options.dbUrl, options.dbUser, options.dbPassword, LIMIT_PARALLEL_WRITERS);
  }

  private JournalLimit.Result measureLimit() throws Exception {
    if (options.limitSeconds == 0) return null;
    Duration each = Duration.ofMillis((long) (options.limitSeconds * 1000));
    out.printf(Locale.ROOT, "measuring the journal's raw write limit (%s, plain JDBC, %.0f s per mode) …%n", options.journal,
        options.limitSeconds);
    out.flush();
    JournalLimit.Result limit = options.journal.equals("h2")
        ? JournalLimit.measureH2(NodeConfig.load(), each, LIMIT_PARALLEL_WRITERS)
        : JournalLimit.measurePostgres(postgresServer(), each, LIMIT_PARALLEL_WRITERS);
    out.printf(Locale.ROOT, "  single-row commits %,.0f rows/s, batched (%d rows/commit) %,.0f rows/s, %d writers single-row %,.0f rows/s%n",
        limit.singleRow(), JournalLimit.BATCH_ROWS, limit.batched(), limit.parallelWriters(), limit.parallelSingleRow());
    out.flush();
    return limit;
  }

  /** For trips on the bench's own node: the participants' services; null otherwise. */
  private LoopbackParticipants startParticipants() throws Exception {
    if (!options.runsTrips() || !options.urls.isEmpty()) return null;
    return LoopbackParticipants.start(options.sagaConfig, TripPlan.DEFINITION, options.participantUrls, options.concurrency);
  }

  private BenchTarget startTarget(String runId, LoopbackParticipants participants) throws Exception {
    if (!options.urls.isEmpty()) return new BenchTarget.Remote(List.copyOf(options.urls), options.token);
    out.println("starting a node in this JVM …");
    out.flush();
    return BenchTarget.OwnNode.start(options.journal, options.dataDir, postgresServer(), runId, options.keepData || options.dataDir != null,
        participants == null ? ConfigFactory.empty() : participants.layer());
  }

  /**
   * Seeds, sets the fault mix, and runs the orders (trips need neither). The plan (14 bytes per
   * order, 5 per trip) lives only in here, so the heap read after the run is the node's and not
   * the size of the run.
   */
  private LoadResult placeAndFollow(List<NodeClient> nodes, BenchTarget target, String runId) throws Exception {
    LoadRun.Settings settings = new LoadRun.Settings(options.concurrency, options.warmup, Duration.ofMillis(options.waitMs),
        Duration.ofSeconds(options.orderTimeoutSeconds), options.followMode());
    if (options.runsTrips()) {
      out.println("starting trips …");
      out.flush();
      TripPlan trips = new TripPlan(runId, options.orders, options.compensateShare, options.seed);
      return new LoadRun(nodes, trips, settings, out, target::journalRows).run();
    }
    OrderPlan plan = new OrderPlan(runId, options.orders, options.customers, options.skus, options.compensateShare, options.seed);
    Seeding.seed(nodes.get(0), plan, out);
    try (FaultMix faults = FaultMix.apply(nodes, options, out)) {
      out.println("placing orders …");
      out.flush();
      return new LoadRun(nodes, plan, settings, out, target::journalRows).run();
    }
  }

  /** The audit, once the sagas are quiet: while some still run or compensate, it is asked again. */
  private AuditResult auditWhenQuiet(NodeClient node) {
    out.println("auditing …");
    out.flush();
    return Polling.until(() -> node.auditAsync(AUDIT_TIMEOUT), audit -> audit.ok() || !audit.sagasBusy(), AUDIT_PAUSE, AUDIT_QUIET_DEADLINE)
        .join();
  }
}
