package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.TestConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console at {@code /console} in a real headless Chromium (Debian's, through its
 * chromedriver): orders placed appear in the live list, a compensated saga's timeline shows its
 * compensations in the reverse order of its forward steps, and a parked saga is retried from the
 * console with the admin token. Screenshots go to target/console-screenshots/. Skips when no
 * browser is installed ({@code SAGA_TEST_CHROMIUM}, {@code SAGA_TEST_CHROMEDRIVER} name others).
 */
class ConsoleTest {
  private static final Duration SEEN = Duration.ofSeconds(30);
  private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  private static final String SHIPPING_FAILS = "{\"shipping\": {\"failureRate\": 1.0}}";
  private static DataDir dataDir;
  private static DataDir browserProfile;
  private static SagaNode node;
  private static NodeClient api;
  private static Orders orders;
  private static WebDriver browser;
  /** Why the tests skip, or null; each test names it, where a skip in @BeforeAll would show none. */
  private static String noBrowser;
  private String customer;
  private String sku;
  private String testName;

  @BeforeAll
  static void startNodeAndBrowser() throws Exception {
    Path chromium = Path.of(System.getenv().getOrDefault("SAGA_TEST_CHROMIUM", "/usr/bin/chromium"));
    Path chromedriver = Path.of(System.getenv().getOrDefault("SAGA_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));
    if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
      noBrowser = "no browser: " + chromium + " or " + chromedriver + " is missing (apt-get install chromium chromium-driver, "
          + "or set SAGA_TEST_CHROMIUM and SAGA_TEST_CHROMEDRIVER): skipping the console's browser tests";
      return;
    }
    dataDir = new DataDir("console");
    // Gauges counted often, so the dashboard and the queues see a saga park within the test.
    node = SagaNode.start(TestConfig.node(dataDir.path(), "saga.read-side.gauge-interval = 200ms"));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
    orders = new Orders(api);
    browserProfile = new DataDir("console-browser");
    ChromeOptions options = new ChromeOptions()
        .setBinary(chromium.toFile())
        .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            "--window-size=1400,1000", "--user-data-dir=" + browserProfile.path());
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stopBrowserAndNode() {
    if (browser != null) browser.quit();
    if (node != null) node.close();
    if (dataDir != null) dataDir.close();
    if (browserProfile != null) browserProfile.close();
  }

  @BeforeEach
  void seedAndForgetTheToken(TestInfo test) {
    Assumptions.assumeTrue(noBrowser == null, noBrowser);
    testName = test.getTestMethod().orElseThrow().getName();
    customer = Orders.uniqueId("c");
    sku = Orders.uniqueId("s");
    orders.deposit(customer, 100_000);
    orders.restock(sku, 100);
    open("#/sagas");
    script("sessionStorage.clear()");
  }

  @AfterEach
  void clearFaults() {
    if (orders != null) orders.clearFaults();
  }

  @Test
  void ordersPlacedAppearInTheLiveListAndItsFiltersNarrowIt() {
    open("#/sagas?definition=order");
    List<String> placed = new ArrayList<>();
    Map<String, String> correlationOf = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      String orderId = Orders.uniqueId("o");
      String correlation = "corr-" + UUID.randomUUID();
      NodeClient.Response response = api.post("/orders", Orders.orderJson(orderId, customer, sku, 1, 100, "NL"),
          "X-Correlation-Id", correlation);
      assertEquals(202, response.status(), response.body());
      placed.add(orderId);
      correlationOf.put(orderId, correlation);
    }
    // No reload: the list refreshes itself.
    waitFor(() -> rowIds("#saga-list").containsAll(placed));
    List<String> fromApi = new ArrayList<>();
    api.get("/sagas?definition=order").json().get("sagas").forEach(saga -> fromApi.add(saga.get("sagaId").asText()));
    assertEquals(fromApi.stream().filter(placed::contains).toList(), rowIds("#saga-list").stream().filter(placed::contains).toList(),
        "in the API's order, newest first");
    placed.forEach(orderId -> orders.awaitSagaStatus(orderId, "COMPLETED"));
    waitFor(() -> placed.stream().allMatch(orderId -> "COMPLETED".equals(rowStatus("#saga-list", orderId))));
    screenshot("list");

    String chosen = placed.get(1);
    browser.findElement(By.id("filter-correlationId")).sendKeys(correlationOf.get(chosen));
    browser.findElement(By.cssSelector("#filters button[type=submit]")).click();
    waitFor(() -> rowIds("#saga-list").equals(List.of(chosen)));
    assertTrue(browser.getCurrentUrl().contains("correlationId=" + correlationOf.get(chosen)), "the filter is in the address");
    screenshot("list-filtered");
  }

  @Test
  void aCompensatedSagasTimelineShowsItsCompensationsInReverseOrderOfItsSteps() {
    String orderId = Orders.uniqueId("o");
    String correlation = "corr-" + UUID.randomUUID();
    // Shipping serves no country XX: payment and inventory succeed, shipping refuses, both are undone.
    api.post("/orders", Orders.orderJson(orderId, customer, sku, 1, 100, "XX"), "X-Correlation-Id", correlation);
    open("#/sagas?correlationId=" + correlation);
    waitFor(() -> {
      browser.findElement(By.cssSelector("#saga-list a.saga-link")).click();
      return true;
    });
    waitFor(() -> browser.getCurrentUrl().endsWith("#/saga/" + orderId));
    waitFor(() -> "COMPENSATED".equals(attribute("#timeline-summary", "data-status")));
    waitFor(() -> entryTypes().contains("SagaCompensated"));
    screenshot("timeline-compensated");

    List<String> forward = stepsOf("StepSucceeded");
    List<String> compensated = stepsOf("StepCompensated");
    assertEquals(List.of("payment", "inventory"), forward);
    List<String> reversed = new ArrayList<>(forward);
    Collections.reverse(reversed);
    assertEquals(reversed, compensated, "compensations in reverse order of the forward steps");
    assertEquals("shipping", stepsOf("StepRejected").get(0));
    assertEquals(correlation, text("#timeline-summary dd[data-field='correlation id']"));
    assertEquals(2, count("#timeline-axis .bar.compensation"), "a compensation span per undone step");
    assertEquals(List.of("inventory", "payment"), barSteps("compensation"));
  }

  @Test
  void aParkedSagaIsRetriedFromTheQueueWithTheAdminToken() {
    orders.setFaults(SHIPPING_FAILS);
    String orderId = Orders.uniqueId("o");
    orders.place(orderId, customer, sku, 1, 100, "NL");
    orders.awaitSagaStatus(orderId, "PARKED");
    open("#/queues");
    waitFor(() -> rowIds("#parked-list").contains(orderId));
    screenshot("queues-parked");

    clickRetry(orderId);
    answerPrompt("not-the-token");
    waitFor(() -> "401".equals(attribute("#queue-message span", "data-status")));
    assertTrue(text("#queue-message").contains("admin routes need the header Authorization"), text("#queue-message"));
    screenshot("queues-unauthorized");

    orders.clearFaults();
    clickRetry(orderId);
    answerPrompt(node.adminToken());
    waitFor(() -> "202".equals(attribute("#queue-message span", "data-status")));
    waitFor(() -> !rowIds("#parked-list").contains(orderId));
    orders.awaitSagaStatus(orderId, "COMPENSATED");
    screenshot("queues-retried");
  }

  @Test
  void retryAllShownResumesEveryParkedSagaTheQueueShows() {
    orders.setFaults(SHIPPING_FAILS);
    List<String> parked = List.of(Orders.uniqueId("o"), Orders.uniqueId("o"));
    parked.forEach(orderId -> orders.place(orderId, customer, sku, 1, 100, "NL"));
    parked.forEach(orderId -> orders.awaitSagaStatus(orderId, "PARKED"));
    open("#/queues");
    waitFor(() -> rowIds("#parked-list").containsAll(parked));

    orders.clearFaults();
    waitFor(() -> {
      browser.findElement(By.id("retry-all")).click();
      return true;
    });
    answerPrompt(node.adminToken());
    waitFor(() -> "202".equals(attribute("#queue-message span", "data-status")));
    waitFor(() -> rowIds("#parked-list").stream().noneMatch(parked::contains));
    parked.forEach(orderId -> orders.awaitSagaStatus(orderId, "COMPENSATED"));
    screenshot("queues-all-retried");
  }

  @Test
  void aParkedSagasTimelineFollowsItsRetryAsItHappens() {
    orders.setFaults(SHIPPING_FAILS);
    String orderId = Orders.uniqueId("o");
    orders.place(orderId, customer, sku, 1, 100, "NL");
    orders.awaitSagaStatus(orderId, "PARKED");
    open("#/saga/" + orderId);
    waitFor(() -> "PARKED".equals(attribute("#timeline-summary", "data-status")) && entryTypes().contains("SagaParked"));
    assertTrue(entryTypes().contains("CompensationAttemptFailed"), "the failed compensation attempts are shown");
    assertEquals("live", text("#timeline-stream"), "a parked saga's stream stays open");
    screenshot("timeline-parked");

    orders.clearFaults();
    waitFor(() -> {
      browser.findElement(By.id("timeline-retry")).click();
      return true;
    });
    answerPrompt(node.adminToken());
    // The same page, no reload: the entries after the retry arrive over the open stream.
    waitFor(() -> entryTypes().contains("SagaCompensated"));
    List<String> types = entryTypes();
    assertTrue(types.indexOf("SagaResumed") > types.indexOf("SagaParked"), types.toString());
    waitFor(() -> "COMPENSATED".equals(attribute("#timeline-summary", "data-status")));
    assertEquals("ended: COMPENSATED", text("#timeline-stream"));
    screenshot("timeline-resumed");
  }

  @Test
  void theDashboardShowsThroughputLatencyAndCounts() {
    open("#/dashboard");
    waitFor(() -> text("#dash-throughput").matches("\\d+\\.\\d"));
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      placed.add(Orders.uniqueId("o"));
      orders.place(placed.get(i), customer, sku, 1, 100, "NL");
    }
    // Shown for a refresh interval (300 ms), read every 100 ms.
    waitFor(() -> Double.parseDouble(text("#dash-throughput")) > 0);
    placed.forEach(orderId -> orders.awaitSagaStatus(orderId, "COMPLETED"));
    waitFor(() -> Double.parseDouble(text("#dash-settled")) >= 3);
    assertTrue(text("#dash-in-flight").matches("\\d+"), text("#dash-in-flight"));
    waitFor(() -> count("#dash-latency tr[data-step='payment'][data-kind='action']") == 1);
    screenshot("dashboard");
  }

  private static String consoleUrl(String hash) {
    return "http://127.0.0.1:" + node.httpPort() + "/console/?refresh=300" + hash;
  }

  private static void open(String hash) {
    browser.get(consoleUrl(hash));
  }

  private static WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(browser, SEEN, Duration.ofMillis(100));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  private static void waitFor(Supplier<Boolean> condition) {
    waiting().until(driver -> condition.get());
  }

  /** The list re-renders as it refreshes: find and click in one go, again if the row was replaced. */
  private static void clickRetry(String sagaId) {
    waitFor(() -> {
      browser.findElement(By.cssSelector("#parked-list button.retry[data-saga-id='" + sagaId + "']")).click();
      return true;
    });
  }

  private static void answerPrompt(String token) {
    Alert prompt = waiting().until(ExpectedConditions.alertIsPresent());
    prompt.sendKeys(token);
    prompt.accept();
  }

  private static Object script(String js, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(js, args);
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(String js, Object... args) {
    return (List<String>) script(js, args);
  }

  /** Read in the page in one step, so a refresh cannot replace the rows halfway. */
  private static List<String> rowIds(String table) {
    return strings("return [...document.querySelectorAll(arguments[0] + ' tbody tr[data-saga-id]')].map(r => r.dataset.sagaId)", table);
  }

  private static String rowStatus(String table, String sagaId) {
    return (String) script("const r = document.querySelector(arguments[0] + ` tbody tr[data-saga-id='${arguments[1]}']`);"
        + " return r ? r.dataset.status : null", table, sagaId);
  }

  private static List<String> entryTypes() {
    return strings("return [...document.querySelectorAll('#timeline-entries li')].map(li => li.dataset.entryType)");
  }

  private static List<String> stepsOf(String type) {
    return strings("return [...document.querySelectorAll(`#timeline-entries li[data-entry-type='${arguments[0]}']`)]"
        + ".map(li => li.dataset.step)", type);
  }

  /** The steps of the axis' spans of one kind, left to right. */
  private static List<String> barSteps(String kind) {
    return strings("return [...document.querySelectorAll(`#timeline-axis .bar[data-kind='${arguments[0]}']`)]"
        + ".sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left).map(b => b.dataset.step)", kind);
  }

  private static String attribute(String css, String name) {
    return (String) script("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null", css, name);
  }

  private static String text(String css) {
    return (String) script("const e = document.querySelector(arguments[0]); return e ? e.textContent : ''", css);
  }

  private static long count(String css) {
    return (Long) script("return document.querySelectorAll(arguments[0]).length", css);
  }

  private void screenshot(String name) {
    try {
      Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, SCREENSHOTS.resolve(testName + "-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
