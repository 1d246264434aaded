package dev.ferry.demo;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Sends every log line to a file in the demo folder and keeps only errors on the console, so the table stays readable. */
public final class LogToFile implements AutoCloseable {
    private final LoggerContext context;
    private final FileAppender<ILoggingEvent> file;
    private final List<Appender<ILoggingEvent>> console;

    private LogToFile(LoggerContext context, FileAppender<ILoggingEvent> file, List<Appender<ILoggingEvent>> console) {
        this.context = context;
        this.file = file;
        this.console = console;
    }

    public static LogToFile install(Path path) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return new LogToFile(null, null, List.of());
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> console = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(a -> {
            ThresholdFilter errorsOnly = new ThresholdFilter();
            errorsOnly.setLevel("ERROR");
            errorsOnly.start();
            a.addFilter(errorsOnly);
            console.add(a);
        });
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(ctx);
        file.setName("demo-file");
        file.setFile(path.toString());
        file.setEncoder(encoder);
        file.start();
        root.addAppender(file);
        return new LogToFile(ctx, file, console);
    }

    @Override
    public void close() {
        if (context == null) return;
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(file);
        file.stop();
        console.forEach(Appender::clearAllFilters);
    }
}
