package dev.ferry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Ferry's logging, set up in code (found by logback through META-INF/services): one line per state change on
 * stderr, Netty's and Micrometer's own chatter at WARN, the level from {@code FERRY_LOG_LEVEL} (INFO by default).
 * It was a logback.xml; parsing that loaded logback's XML configurator and the JDK's XML parser, ~400 classes
 * (~2 MiB of metaspace, docs/BENCHMARKS-RSS.md) for five lines of settings. {@code -Dlogback.configurationFile=}
 * still works: then logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfig extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(context);
        out.setName("OUT");
        out.setTarget("System.err");
        out.setEncoder(encoder);
        out.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level());
        root.addAppender(out);
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("io.micrometer").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** As logback.xml's {@code ${FERRY_LOG_LEVEL:-INFO}}: a system property of that name, else the variable. */
    static Level level() {
        String asked = System.getProperty("FERRY_LOG_LEVEL", System.getenv("FERRY_LOG_LEVEL"));
        return Level.toLevel(asked == null ? null : asked.trim(), Level.INFO);
    }
}
