package io.sagaorchestrator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.infra.audit.AuditClient;
import io.sagaorchestrator.infra.config.JvmRuntime;
import io.sagaorchestrator.infra.config.NodeConfig;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar saga-orchestrator.jar bench}: throughput, latency and correctness in one run.
 * It measures the journal's raw write limit, starts a node in this JVM (or uses the nodes given
 * with {@code --url}), seeds credit and stock, places the orders over HTTP, follows each one to
 * its terminal status, runs the audit, and writes {@code report.json} and {@code report.svg}.
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
            + "and the audit. Without --url it starts its own node in this JVM on a fresh data directory."})
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--orders", defaultValue = "20000", description = "Orders to place (default: ${DEFAULT-VALUE}).")
  int orders;

  @Option(names = "--concurrency", defaultValue = "256", description = "Orders in flight: placed and not yet seen terminal (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--compensate-share", defaultValue = "0.1",
      description = "Share of orders sent to the unserved country XX, which compensate at the shipping step (default: ${DEFAULT-VALUE}).")
  double compensateShare;

  @Option(names = "--url", description = "A running node to drive (repeatable; orders are spread over them). Default: start one in this JVM.")
  List<URI> urls = new ArrayList<>();

  @Option(names = "--token", defaultValue = "${env:SAGA_ADMIN_TOKEN}",
      description = "Admin token of the nodes given with --url (default: the environment variable SAGA_ADMIN_TOKEN).")
  String token;

  @Option(names = "--customers", defaultValue = "100", description = "Distinct customers (default: ${DEFAULT-VALUE}).")
  int customers;

  @Option(names = "--skus", defaultValue = "100", description = "Distinct SKUs (default: ${DEFAULT-VALUE}).")
  int skus;

  @Option(names = "--warmup", defaultValue = "2000", description = "Orders placed before the measured window starts (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--failure-rate", defaultValue = "0", description = "Fault injection, every participant: share answered Failed(transient) (default: ${DEFAULT-VALUE}).")
  double failureRate;

  @Option(names = "--timeout-rate", defaultValue = "0", description = "Fault injection, every participant: share applied with the reply dropped (default: ${DEFAULT-VALUE}).")
  double timeoutRate;

  @Option(names = "--latency-ms", defaultValue = "0", description = "Fault injection, every participant: delay before applying (default: ${DEFAULT-VALUE}).")
  long latencyMs;

  @Option(names = "--data-dir", description = "Data directory of the bench's own node (default: a new temporary directory, removed at the end).")
  Path dataDir;

  @Option(names = "--journal", defaultValue = "h2",
      description = "Journal of the bench's own node, and the database kind whose raw write limit is measured: h2 or postgres (default: ${DEFAULT-VALUE}).")
  String journal;

  @Option(names = "--db-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/postgres",
      description = "PostgreSQL server for --journal postgres; the bench creates its own database there and drops it at the end (default: ${DEFAULT-VALUE}).")
  String dbUrl;

  @Option(names = "--db-user", defaultValue = "postgres", description = "PostgreSQL user (default: ${DEFAULT-VALUE}).")
  String dbUser;

  @Option(names = "--db-password", defaultValue = "", description = "PostgreSQL password (default: empty).")
  String dbPassword;

  @Option(names = "--report-dir", defaultValue = "target/bench", description = "Where report.json and report.svg go (default: ${DEFAULT-VALUE}).")
  Path reportDir;

  @Option(names = "--follow", defaultValue = "stream",
      description = "How orders are seen to end: stream (the server-sent events of GET /admin/order-outcomes on every node, "
          + "with long polls for an order not shown ended within " + LoadRun.STREAM_PATIENCE_SECONDS + " s) or poll (long polls only) (default: ${DEFAULT-VALUE}).")
  String follow;

  @Option(names = "--wait-ms", defaultValue = "10000",
      description = "How long the node may hold each follow request (GET /orders/{id}?waitMs=…) before it answers an order that has not ended (default: ${DEFAULT-VALUE}).")
  long waitMs;

  @Option(names = "--order-timeout-s", defaultValue = "300", description = "Give up on an order after this many seconds (default: ${DEFAULT-VALUE}).")
  long orderTimeoutSeconds;

  @Option(names = "--limit-seconds", defaultValue = "3",
      description = "Seconds per mode of the journal raw write limit measurement; 0 skips it (default: ${DEFAULT-VALUE}).")
  double limitSeconds;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the order mix and of the fault injector (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--keep-data", description = "Keep the own node's data directory or database.")
  boolean keepData;

  @Option(names = "--verbose", description = "Log to the console as usual (default: the log goes to node.log in the report directory).")
  boolean verbose;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int LIMIT_PARALLEL_WRITERS = 8;
  /**
   * The bench's HTTP client closes a connection idle this long (the JDK's default is 20 minutes):
   * its 256 idle connections held 4-8 MiB of read buffers, more or less by chance, which the heap
   * reading after the run counted as the node's. Under load no connection is idle that long.
   */
  static final Duration CLIENT_KEEP_ALIVE = Duration.ofSeconds(2);

  private PrintWriter out;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    // Read once, when the JDK's HTTP client is first used; the bench owns this JVM.
    System.setProperty("jdk.httpclient.keepalive.timeout", Long.toString(CLIENT_KEEP_ALIVE.toSeconds()));
    String problem = validate();
    if (problem != null) throw new CommandLine.ParameterException(spec.commandLine(), problem);
    String runId = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    Instant startedAt = Instant.now();
    String longPolls = String.format(Locale.ROOT,
        "long polls: GET /orders/{id}?waitMs=%d, answered when the order ends, asked again when the wait is up", waitMs);
    String following = streamOutcomes()
        ? "the outcome stream of every node (GET /admin/order-outcomes, server-sent events); an order not shown ended within "
            + LoadRun.STREAM_PATIENCE_SECONDS + " s, by " + longPolls
        : longPolls;
    out.printf(Locale.ROOT, "saga-orchestrator bench %s: %,d orders (%,d warm-up), %d in flight, %.0f %% to country %s, %d customers, %d SKUs%n",
        runId, orders, warmup, concurrency, compensateShare * 100, OrderPlan.UNSERVED_COUNTRY, customers, skus);
    out.println("orders are followed to their terminal status by " + following);
    JvmRuntime jvm = JvmRuntime.current();
    out.println("JVM: " + jvm.describe());
    out.flush();

    Path nodeLog = reportDir.resolve("node.log");
    AutoCloseable logs = verbose ? () -> {} : logToFile(nodeLog);
    if (!verbose) out.println("the node's log goes to " + nodeLog.toAbsolutePath() + " (--verbose: to the console)");
    ExecutorService httpThreads = Executors.newFixedThreadPool(2, LoadRun.daemon("bench-http"));
    try (logs) {
      JournalLimit.Result limit = measureLimit();
      try (BenchTarget target = startTarget(runId)) {
        out.println("target: " + target.describe());
        out.flush();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
            .executor(httpThreads).build();
        awaitReady(http, target);
        LoadRun.Result load = placeAndFollow(http, target, runId);
        AuditClient.Result audit = audit(http, target);
        OptionalLong heap = target.heapAfterGc(out);
        BenchReport report = report(startedAt, following, jvm, target, limit, load, audit, heap);
        report.write(reportDir);
        out.println();
        out.println("summary (" + target.describe() + "):");
        out.print(report.summary());
        out.println("report: " + reportDir.resolve("report.json").toAbsolutePath() + ", chart: " + reportDir.resolve("report.svg").toAbsolutePath());
        out.flush();
        if (!audit.ok()) return 1;
        return load.unfinished() > 0 || load.rejectedPlacements() > 0 ? 4 : 0;
      }
    } finally {
      httpThreads.shutdownNow();
    }
  }

  private String validate() {
    if (orders < 1) return "--orders must be at least 1";
    if (concurrency < 1) return "--concurrency must be at least 1";
    if (warmup < 0 || warmup >= orders) return "--warmup must be at least 0 and below --orders";
    if (compensateShare < 0 || compensateShare > 1) return "--compensate-share must be between 0 and 1";
    if (customers < 1 || skus < 1) return "--customers and --skus must be at least 1";
    if (failureRate < 0 || failureRate > 1 || timeoutRate < 0 || timeoutRate > 1) return "--failure-rate and --timeout-rate must be between 0 and 1";
    if (latencyMs < 0 || orderTimeoutSeconds < 1 || limitSeconds < 0) return "--latency-ms, --order-timeout-s, --limit-seconds must be positive";
    // A follow request is repeated at once when the wait is up: a wait too short would poll in a tight loop.
    if (waitMs < 100 || waitMs > 15_000) return "--wait-ms must be from 100 to 15000 (the node's longest wait)";
    follow = follow.toLowerCase(Locale.ROOT);
    if (!follow.equals("stream") && !follow.equals("poll")) return "--follow must be stream or poll";
    journal = journal.toLowerCase(Locale.ROOT);
    if (!journal.equals("h2") && !journal.equals("postgres")) return "--journal must be h2 or postgres";
    if (!urls.isEmpty() && (token == null || token.isBlank())) return "--url needs the nodes' admin token: --token or SAGA_ADMIN_TOKEN";
    if (!urls.isEmpty() && dataDir != null) return "--data-dir is for the bench's own node; not with --url";
    return null;
  }

  private JournalConfig postgresServer() {
    return new JournalConfig(JournalConfig.Kind.POSTGRES, dbUrl, dbUser, dbPassword, LIMIT_PARALLEL_WRITERS);
  }

  private JournalLimit.Result measureLimit() throws Exception {
    if (limitSeconds == 0) return null;
    Duration each = Duration.ofMillis((long) (limitSeconds * 1000));
    out.printf(Locale.ROOT, "measuring the journal's raw write limit (%s, plain JDBC, %.0f s per mode) …%n", journal, limitSeconds);
    out.flush();
    JournalLimit.Result limit = journal.equals("h2")
        ? JournalLimit.measureH2(NodeConfig.load(), each, LIMIT_PARALLEL_WRITERS)
        : JournalLimit.measurePostgres(postgresServer(), each, LIMIT_PARALLEL_WRITERS);
    out.printf(Locale.ROOT, "  single-row commits %,.0f rows/s, batched (%d rows/commit) %,.0f rows/s, %d writers single-row %,.0f rows/s%n",
        limit.singleRow(), JournalLimit.BATCH_ROWS, limit.batched(), limit.parallelWriters(), limit.parallelSingleRow());
    out.flush();
    return limit;
  }

  private BenchTarget startTarget(String runId) throws Exception {
    if (!urls.isEmpty()) return new BenchTarget.Remote(List.copyOf(urls), token);
    out.println("starting a node in this JVM …");
    out.flush();
    return BenchTarget.OwnNode.start(journal, dataDir, postgresServer(), runId, keepData || dataDir != null);
  }

  private void awaitReady(HttpClient http, BenchTarget target) throws Exception {
    for (URI url : target.urls()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        int status;
        try {
          status = http.send(HttpRequest.newBuilder(url.resolve("/health/ready")).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
          status = -1;
        }
        if (status == 200) break;
        if (System.nanoTime() > deadline) throw new IllegalStateException(url + " is not ready (HTTP " + status + ")");
        Thread.sleep(200);
      }
    }
  }

  /**
   * Seeds, sets the fault mix, and runs the orders. The plan (14 bytes per order) lives only in
   * here, so the heap read after the run is the node's and not the size of the run.
   */
  private LoadRun.Result placeAndFollow(HttpClient http, BenchTarget target, String runId) throws Exception {
    OrderPlan plan = new OrderPlan(runId, orders, customers, skus, compensateShare, seed);
    seed(http, target, plan);
    JsonNode previousFaults = setFaults(http, target);
    try {
      out.println("placing orders …");
      out.flush();
      return new LoadRun(http, target.urls(), plan,
          new LoadRun.Settings(concurrency, warmup, Duration.ofMillis(waitMs), Duration.ofSeconds(orderTimeoutSeconds), streamOutcomes(),
              target.adminToken()),
          out, target::journalRows).run();
    } finally {
      if (previousFaults != null) put(http, target, "/admin/faults", previousFaults.toString());
    }
  }

  private boolean streamOutcomes() {
    return follow.equals("stream");
  }

  /** Deposits and restocks exactly what the planned orders need, through the admin API. */
  private void seed(HttpClient http, BenchTarget target, OrderPlan plan) {
    long[] credit = plan.creditNeeded();
    long[] stock = plan.stockNeeded();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    long started = System.nanoTime();
    for (int c = 0; c < credit.length; c++) {
      if (credit[c] > 0) pending.add(adminPost(http, target, "/admin/accounts/" + plan.customerId(c) + "/deposit", "{\"amountCents\":" + credit[c] + "}"));
      if (pending.size() >= 32) drain(pending);
    }
    for (int s = 0; s < stock.length; s++) {
      if (stock[s] > 0) pending.add(adminPost(http, target, "/admin/inventory/" + plan.skuId(s) + "/restock", "{\"quantity\":" + stock[s] + "}"));
      if (pending.size() >= 32) drain(pending);
    }
    drain(pending);
    out.printf(Locale.ROOT, "seeded %d customers and %d SKUs through the admin API in %d ms%n", plan.customers(), plan.skus(),
        (System.nanoTime() - started) / 1_000_000);
    out.flush();
  }

  private static void drain(List<CompletableFuture<Void>> pending) {
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    pending.clear();
  }

  private CompletableFuture<Void> adminPost(HttpClient http, BenchTarget target, String path, String json) {
    HttpRequest request = HttpRequest.newBuilder(target.urls().get(0).resolve(path))
        .header("Authorization", "Bearer " + target.adminToken())
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("seeding " + path + " failed: HTTP " + response.statusCode() + " " + response.body());
      }
    });
  }

  /** Sets the fault mix on every participant when one is asked for; returns the settings to restore. */
  private JsonNode setFaults(HttpClient http, BenchTarget target) throws Exception {
    if (failureRate == 0 && timeoutRate == 0 && latencyMs == 0) return null;
    JsonNode previous = MAPPER.readTree(http.send(HttpRequest.newBuilder(target.urls().get(0).resolve("/admin/faults"))
        .header("Authorization", "Bearer " + target.adminToken()).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    String participant = String.format(Locale.ROOT, "{\"failureRate\":%s,\"timeoutRate\":%s,\"latencyMs\":%d}", failureRate, timeoutRate, latencyMs);
    String faults = "{\"seed\":" + seed + ",\"payment\":" + participant + ",\"inventory\":" + participant + ",\"shipping\":" + participant + "}";
    put(http, target, "/admin/faults", faults);
    out.println("faults on every participant: " + participant);
    return previous;
  }

  private void put(HttpClient http, BenchTarget target, String path, String json) throws Exception {
    for (URI url : target.urls()) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(url.resolve(path))
          .header("Authorization", "Bearer " + target.adminToken())
          .header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) throw new IllegalStateException("PUT " + path + " on " + url + ": HTTP " + response.statusCode() + " " + response.body());
    }
  }

  /** The audit, once the sagas are quiet: while some still run or compensate, it is asked again (for up to 30 s). */
  private AuditClient.Result audit(HttpClient http, BenchTarget target) throws Exception {
    out.println("auditing …");
    out.flush();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      AuditClient.Result result = AuditClient.fetch(http, target.urls().get(0), target.adminToken(), Duration.ofMinutes(30));
      JsonNode sagas = result.json().path("sagas");
      boolean busy = sagas.path("RUNNING").asLong() + sagas.path("COMPENSATING").asLong() > 0;
      if (result.ok() || !busy || System.nanoTime() > deadline) return result;
      Thread.sleep(1000);
    }
  }

  private BenchReport report(Instant startedAt, String following, JvmRuntime jvm, BenchTarget target, JournalLimit.Result limit,
      LoadRun.Result load, AuditClient.Result audit, OptionalLong heap) {
    Double eventsPerSecond = null;
    Double eventsPerSaga = null;
    if (load.journalRowsAtWindowStart().isPresent() && load.journalRowsAtWindowEnd().isPresent()) {
      long rows = load.journalRowsAtWindowEnd().getAsLong() - load.journalRowsAtWindowStart().getAsLong();
      eventsPerSecond = rows / load.windowSeconds();
      eventsPerSaga = load.terminalInWindow() == 0 ? null : (double) rows / load.terminalInWindow();
    }
    BenchReport.Limit limits = limit == null ? new BenchReport.Limit(journal, null, null, null, null, null, null)
        : new BenchReport.Limit(limit.kind(), limit.singleRow(), limit.batched(), limit.parallelSingleRow(), limit.parallelWriters(),
            JournalLimit.BATCH_ROWS, limit.secondsEach());
    BenchReport.Ratio ratio = eventsPerSecond == null || limit == null ? null
        : new BenchReport.Ratio(eventsPerSecond / limit.singleRow(), eventsPerSecond / limit.batched());
    JsonNode json = audit.json();
    BenchReport.Audit auditPart = new BenchReport.Audit(audit.ok(), audit.httpStatus() == 200 ? audit.violationCount() : -1,
        audit.httpStatus() == 200 ? audit.violations() : List.of("audit could not run: HTTP " + audit.httpStatus() + " " + audit.rawBody()),
        json.has("durationMs") ? json.get("durationMs").asLong() : null, json.has("eventsRead") ? json.get("eventsRead").asLong() : null,
        json.get("orders"), json.get("sagas"), json.get("eventsByEntity"));
    return new BenchReport(
        startedAt.toString(),
        new BenchReport.Setup(orders, warmup, concurrency, compensateShare, customers, skus, failureRate, timeoutRate, latencyMs, waitMs,
            following, target.describe()),
        jvm,
        load.sagasPerSecond(),
        load.windowSeconds(),
        load.terminalInWindow(),
        BenchReport.Latency.of(load.latencyMicros()),
        BenchReport.Latency.byStatus(load.latencyMicrosByStatus()),
        BenchReport.Accept.of(load.acceptMicros()),
        eventsPerSecond,
        eventsPerSaga,
        limits,
        ratio,
        heap.isPresent() ? heap.getAsLong() : null,
        load.terminalInWindow() == 0 ? null : load.cpuSecondsInWindow() * 1000 / load.terminalInWindow(),
        new BenchReport.Outcomes(load.outcomes(), load.unexpectedOutcomes(), load.unfinished(), load.rejectedPlacements(), load.httpErrors(),
            load.follows(), load.follows() / Math.max(1e-9, load.runSeconds()), load.streamed()),
        auditPart,
        load.timeline());
  }

  /**
   * The node's log goes to {@code node.log} in the report directory while the bench prints its
   * progress; the console appenders are put back at the end.
   */
  private static AutoCloseable logToFile(Path file) throws IOException {
    if (!(LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root)) return () -> {};
    Files.createDirectories(file.toAbsolutePath().getParent());
    var context = root.getLoggerContext();
    var encoder = new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
    encoder.start();
    var appender = new ch.qos.logback.core.FileAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    appender.setContext(context);
    appender.setName("bench-node-log");
    appender.setFile(file.toString());
    appender.setAppend(false);
    appender.setEncoder(encoder);
    appender.start();
    List<ch.qos.logback.core.Appender<ch.qos.logback.classic.spi.ILoggingEvent>> previous = new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(previous::add);
    previous.forEach(root::detachAppender);
    root.addAppender(appender);
    return () -> {
      previous.forEach(root::addAppender);
      root.detachAppender(appender);
      appender.stop();
    };
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
