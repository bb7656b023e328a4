package dev.finch.soci.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finch.soci.spi.EventSink;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The daemon's log: one JSON object per line, {@code {"time":…,"level":…,"msg":…}} plus optional
 * {@code "event"}, {@code "error"} and caller fields, like the reference's logrus JSON formatter.
 * {@link #install} routes all {@link java.util.logging} output (the snapshotter core, gRPC) through
 * it, so the process writes nothing else to stderr.
 */
public final class JsonLog implements EventSink {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** java.util.logging holds loggers weakly; levels set on collected loggers would be lost. */
  private static final java.util.List<Logger> PINNED =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  private final PrintStream out;
  private final LogLevel threshold;

  public JsonLog(PrintStream out, LogLevel threshold) {
    this.out = out;
    this.threshold = threshold;
  }

  /**
   * Replaces the root logger's handlers with one writing through this log at {@code threshold}.
   * io.grpc and io.netty are kept at WARNING (netty's channel bootstrap at SEVERE).
   */
  public JsonLog install() {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(threshold.jul());
    root.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (!isLoggable(r)) {
              return;
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("logger", r.getLoggerName());
            if (r.getThrown() != null) {
              fields.put("error", String.valueOf(r.getThrown().getMessage()));
              if (threshold == LogLevel.DEBUG) {
                StringWriter sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                fields.put("stack", sw.toString());
              }
            }
            String msg = r.getMessage();
            if (r.getParameters() != null && msg != null && msg.contains("{0")) {
              msg = java.text.MessageFormat.format(msg, r.getParameters());
            }
            write(LogLevel.of(r.getLevel()), msg, null, fields);
          }

          @Override
          public void flush() {
            out.flush();
          }

          @Override
          public void close() {
            out.flush();
          }
        });
    // Their debug output is about library internals (allocators, native loading), not requests.
    for (String noisy : new String[] {"io.grpc", "io.netty", "java.lang.Runtime"}) {
      Logger l = Logger.getLogger(noisy);
      l.setLevel(java.util.logging.Level.WARNING);
      PINNED.add(l);
    }
    // grpc-netty asks every unix-socket channel (containerd's to us, ours to containerd in a
    // handed-off rpull) for SO_KEEPALIVE, which such sockets lack; netty warns once per channel.
    Logger bootstrap = Logger.getLogger("io.netty.bootstrap");
    bootstrap.setLevel(java.util.logging.Level.SEVERE);
    PINNED.add(bootstrap);
    return this;
  }

  /** Logs at info. */
  public void info(String msg) {
    write(LogLevel.INFO, msg, null, Map.of());
  }

  /** Logs at warn with an error text. */
  public void warn(String msg, Throwable error) {
    write(
        LogLevel.WARN,
        msg,
        null,
        error == null ? Map.of() : Map.of("error", String.valueOf(error.getMessage())));
  }

  /** Logs at error with an error text. */
  public void error(String msg, Throwable error) {
    write(
        LogLevel.ERROR,
        msg,
        null,
        error == null ? Map.of() : Map.of("error", String.valueOf(error.getMessage())));
  }

  /** Logs at debug. */
  public void debug(String msg) {
    write(LogLevel.DEBUG, msg, null, Map.of());
  }

  @Override
  public void event(String level, String event, String message, Map<String, ?> fields) {
    LogLevel l;
    try {
      l = LogLevel.parse(level);
    } catch (IllegalArgumentException e) {
      l = LogLevel.INFO;
    }
    write(l, message, event, fields);
  }

  /** Writes one line if {@code level} passes the threshold. */
  public void write(LogLevel level, String msg, String event, Map<String, ?> fields) {
    if (level.ordinal() < threshold.ordinal()) {
      return;
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", Instant.now().toString());
    line.put("level", level.wireName());
    line.put("msg", msg == null ? "" : msg);
    if (event != null) {
      line.put("event", event);
    }
    fields.forEach((k, v) -> line.putIfAbsent(k, v));
    String text;
    try {
      text = JSON.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      text = "{\"level\":\"error\",\"msg\":\"unprintable log line\"}";
    }
    synchronized (out) {
      out.println(text);
      out.flush();
    }
  }
}
