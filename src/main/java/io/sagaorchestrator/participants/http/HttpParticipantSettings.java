package io.sagaorchestrator.participants.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * One HTTP participant's limits, from {@code saga.participants.http.<name>} over
 * {@code saga.participants.http-defaults}: where it is ({@code base-url}, optional), how many calls
 * may be in flight at once ({@code max-concurrent}), and its circuit breaker.
 */
public record HttpParticipantSettings(
    String name, Optional<URI> baseUrl, int maxConcurrent, int breakerMaxFailures, Duration breakerCallTimeout,
    Duration breakerResetTimeout) {

  static final String DEFAULTS = "saga.participants.http-defaults";
  static final String PARTICIPANTS = "saga.participants.http";

  public HttpParticipantSettings {
    if (maxConcurrent < 1) throw new IllegalArgumentException(key(name, "max-concurrent") + ": must be at least 1");
    if (breakerMaxFailures < 1) throw new IllegalArgumentException(key(name, "breaker.max-failures") + ": must be at least 1");
    if (breakerCallTimeout.isZero() || breakerCallTimeout.isNegative()) {
      throw new IllegalArgumentException(key(name, "breaker.call-timeout") + ": must be positive");
    }
    if (breakerResetTimeout.isZero() || breakerResetTimeout.isNegative()) {
      throw new IllegalArgumentException(key(name, "breaker.reset-timeout") + ": must be positive");
    }
  }

  public static HttpParticipantSettings from(Config config, String name) {
    String path = PARTICIPANTS + "." + ConfigUtil.joinPath(name);
    Config own = config.hasPath(path) ? config.getConfig(path) : ConfigFactory.empty();
    Config c = own.withFallback(config.getConfig(DEFAULTS));
    Optional<URI> baseUrl = Optional.empty();
    if (c.hasPath("base-url") && !c.getString("base-url").isBlank()) {
      baseUrl = Optional.of(baseUrl(name, c.getString("base-url")));
    }
    return new HttpParticipantSettings(name, baseUrl, c.getInt("max-concurrent"), c.getInt("breaker.max-failures"),
        c.getDuration("breaker.call-timeout"), c.getDuration("breaker.reset-timeout"));
  }

  private static URI baseUrl(String name, String text) {
    try {
      URI uri = new URI(text);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException(key(name, "base-url") + ": '" + text + "' is not an http(s) URL with a host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(key(name, "base-url") + ": '" + text + "' is not a URL: " + e.getMessage());
    }
  }

  static String key(String name, String setting) {
    return PARTICIPANTS + "." + ConfigUtil.joinPath(name) + "." + setting;
  }
}
