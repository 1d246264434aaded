package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Logging is set up in code (LogConfig, found by logback as a service), as the logback.xml it replaces was. */
class LogConfigTest {
    @Test
    void logbackFindsItAndLogsOneLinePerEventOnStderr() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("OUT")).isInstanceOf(ConsoleAppender.class);
        ConsoleAppender<?> out = (ConsoleAppender<?>) root.getAppender("OUT");
        assertThat(out.getTarget()).isEqualTo("System.err");
        assertThat(((PatternLayoutEncoder) out.getEncoder()).getPattern()).isEqualTo(LogConfig.PATTERN);
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.micrometer").getLevel()).isEqualTo(Level.WARN);
        // No XML configurator ran: that is the point (docs/BENCHMARKS-RSS.md).
        assertThat(context.getObject("SAFE_JORAN_CONFIGURATION")).isNull();
    }

    @Test
    void theLevelComesFromFerryLogLevelElseInfo() {
        String before = System.getProperty("FERRY_LOG_LEVEL");
        try {
            System.setProperty("FERRY_LOG_LEVEL", " debug ");
            assertThat(LogConfig.level()).isEqualTo(Level.DEBUG);
            System.setProperty("FERRY_LOG_LEVEL", "nonsense");
            assertThat(LogConfig.level()).isEqualTo(Level.INFO);
            if (System.getenv("FERRY_LOG_LEVEL") == null) {
                System.clearProperty("FERRY_LOG_LEVEL");
                assertThat(LogConfig.level()).isEqualTo(Level.INFO);
            }
        } finally {
            if (before == null) System.clearProperty("FERRY_LOG_LEVEL");
            else System.setProperty("FERRY_LOG_LEVEL", before);
        }
    }
}
