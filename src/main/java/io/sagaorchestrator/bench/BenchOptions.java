package io.sagaorchestrator.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code bench} subcommand's options. */
final class BenchOptions {
  @Option(names = "--saga", defaultValue = "order",
      description = "What to run: order (POST /orders, the order saga) or trip (POST /sagas, the trip saga of --saga-config over HTTP "
          + "participants; --orders, --warmup and --compensate-share then count trips) (default: ${DEFAULT-VALUE}).")
  String saga;

  @Option(names = "--saga-config", defaultValue = "conf/examples/trip.conf",
      description = "For --saga trip: the configuration that declares it, layered on the bench's own node (default: ${DEFAULT-VALUE}).")
  Path sagaConfig;

  @Option(names = "--participant-url",
      description = "For --saga trip: a participant's service, name=url (repeatable); each participant not given gets a booking service "
          + "in this JVM on a free loopback port, refusing the car class \"" + TripPlan.REFUSED_CAR + "\".")
  Map<String, URI> participantUrls = new LinkedHashMap<>();

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

  @Option(names = "--follow",
      description = "How orders are seen to end: stream (the server-sent events of GET /admin/order-outcomes on every node, "
          + "with long polls for an order not shown ended within " + StreamFollower.PATIENCE_SECONDS + " s) or poll (long polls only) "
          + "(default: stream; with --saga trip, poll: sagas have no outcome stream).")
  String follow;

  @Option(names = "--wait-ms", defaultValue = "10000",
      description = "How long the node may hold each follow request (GET /orders/{id}?waitMs=…, GET /sagas/{id}?waitMs=…) before it answers "
          + "an order or saga that has not ended (default: ${DEFAULT-VALUE}).")
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

  /** What is wrong with the options, or null. */
  String problem() {
    if (orders < 1) return "--orders must be at least 1";
    if (concurrency < 1) return "--concurrency must be at least 1";
    if (warmup < 0 || warmup >= orders) return "--warmup must be at least 0 and below --orders";
    if (compensateShare < 0 || compensateShare > 1) return "--compensate-share must be between 0 and 1";
    if (customers < 1 || skus < 1) return "--customers and --skus must be at least 1";
    if (failureRate < 0 || failureRate > 1 || timeoutRate < 0 || timeoutRate > 1) return "--failure-rate and --timeout-rate must be between 0 and 1";
    if (latencyMs < 0 || orderTimeoutSeconds < 1 || limitSeconds < 0) return "--latency-ms, --order-timeout-s, --limit-seconds must be positive";
    // A follow request is repeated at once when the wait is up: a wait too short would poll in a tight loop.
    if (waitMs < 100 || waitMs > 15_000) return "--wait-ms must be from 100 to 15000 (the node's longest wait)";
    saga = saga.toLowerCase(Locale.ROOT);
    if (!saga.equals("order") && !saga.equals(TripPlan.DEFINITION)) return "--saga must be order or trip";
    if (follow == null) follow = runsTrips() ? "poll" : "stream";
    follow = follow.toLowerCase(Locale.ROOT);
    if (!follow.equals("stream") && !follow.equals("poll")) return "--follow must be stream or poll";
    if (runsTrips() && follow.equals("stream")) return "--follow stream is for orders; --saga trip follows sagas by long polls";
    if (runsTrips() && injectsFaults()) return "--failure-rate, --timeout-rate, --latency-ms act on the order saga's participants; not with --saga trip";
    if (!runsTrips() && !participantUrls.isEmpty()) return "--participant-url is for --saga trip";
    if (!urls.isEmpty() && !participantUrls.isEmpty()) return "--participant-url is for the bench's own node; not with --url";
    journal = journal.toLowerCase(Locale.ROOT);
    if (!journal.equals("h2") && !journal.equals("postgres")) return "--journal must be h2 or postgres";
    if (!urls.isEmpty() && (token == null || token.isBlank())) return "--url needs the nodes' admin token: --token or SAGA_ADMIN_TOKEN";
    if (!urls.isEmpty() && dataDir != null) return "--data-dir is for the bench's own node; not with --url";
    return null;
  }

  boolean runsTrips() {
    return saga.equals(TripPlan.DEFINITION);
  }

  OrderFollower.Mode followMode() {
    return OrderFollower.Mode.valueOf(follow.toUpperCase(Locale.ROOT));
  }

  boolean injectsFaults() {
    return failureRate != 0 || timeoutRate != 0 || latencyMs != 0;
  }

  BenchReport.Setup setup(String following, String target) {
    return new BenchReport.Setup(orders, warmup, concurrency, compensateShare, customers, skus, failureRate, timeoutRate, latencyMs,
        waitMs, following, target, runsTrips() ? saga : null);
  }
}
