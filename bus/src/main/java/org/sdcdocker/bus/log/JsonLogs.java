package org.sdcdocker.bus.log;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.protocol.LogLine;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The servers' SLF4J provider: every logger, ours and the libraries' (Hazelcast, Vert.x, Netty),
 * writes JSON lines through {@link LogLine} (time, level, component, request, node, logger,
 * message, error), the request from the MDC's {@code request} when the caller put it there. Ours
 * ({@code org.sdcdocker}, {@code sdc-docker}) log from INFO, the libraries from WARN; {@code
 * -Dsdc.log.level=debug} (or {@code SDC_DOCKER_LOG_LEVEL=debug} in the environment) lowers both to
 * that level. Two of Hazelcast's warnings at every start, about what the fleet chose (no CP
 * subsystem, no slow-operation detector), are not written.
 */
public final class JsonLogs implements SLF4JServiceProvider {
  /** Loggers whose lines are dropped for now (see {@link #hush}). */
  private static final Set<String> HUSHED = ConcurrentHashMap.newKeySet();

  /**
   * Drops the lines of these loggers until the handle is closed: what a library says at each
   * attempt of a retry that the caller reports itself, once.
   */
  public static AutoCloseable hush(String... loggers) {
    List<String> names = List.of(loggers);
    HUSHED.addAll(names);
    return () -> HUSHED.removeAll(names);
  }

  private final ILoggerFactory loggers = new Loggers();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new BasicMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  /** One logger per name. */
  private static final class Loggers implements ILoggerFactory {
    private final Map<String, Logger> byName = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
      return byName.computeIfAbsent(name, JsonLogger::new);
    }
  }

  /** A logger whose lines are JSON, at or above its threshold. */
  static final class JsonLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final int threshold;

    JsonLogger(String name) {
      this.name = name;
      this.threshold = threshold(name).toInt();
    }

    static Level threshold(String name) {
      String forced = System.getProperty("sdc.log.level", System.getenv("SDC_DOCKER_LOG_LEVEL"));
      if (forced != null) {
        try {
          return Level.valueOf(forced.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          // an unknown level: the defaults
        }
      }
      if (name.equals("com.hazelcast.cp.CPSubsystem")
          || name.endsWith("slowoperationdetector.SlowOperationDetector")) {
        return Level.ERROR; // their warning says that the fleet turned them off, as it did
      }
      return name.startsWith("org.sdcdocker") || name.startsWith("sdc-docker")
          ? Level.INFO
          : Level.WARN;
    }

    @Override
    public boolean isTraceEnabled() {
      return Level.TRACE.toInt() >= threshold;
    }

    @Override
    public boolean isDebugEnabled() {
      return Level.DEBUG.toInt() >= threshold;
    }

    @Override
    public boolean isInfoEnabled() {
      return Level.INFO.toInt() >= threshold;
    }

    @Override
    public boolean isWarnEnabled() {
      return Level.WARN.toInt() >= threshold;
    }

    @Override
    public boolean isErrorEnabled() {
      return Level.ERROR.toInt() >= threshold;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] args, Throwable error) {
      if (!HUSHED.isEmpty() && HUSHED.contains(name)) {
        return;
      }
      String message = MessageFormatter.basicArrayFormat(pattern, args);
      LogLine.write(
          level.name().toLowerCase(Locale.ROOT), name, MDC.get("request"), message, error);
    }
  }
}
