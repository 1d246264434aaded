package dev.ferry.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A file in the temp directory naming the running demo's folder: where {@code ferry drill --demo} looks first. */
public final class DemoPointer {
    static final String NAME = "ferry-demo.current";

    private DemoPointer() {}

    public static Path file() {
        return Path.of(System.getProperty("java.io.tmpdir"), NAME);
    }

    public static void write(Path dir) throws IOException {
        Files.writeString(file(), dir + "\n", StandardCharsets.UTF_8);
    }

    /** Removes the pointer if it still names {@code dir}. */
    public static void clear(Path dir) {
        Path pointer = file();
        try {
            if (dir.toString().equals(Files.readString(pointer).strip())) Files.deleteIfExists(pointer);
        } catch (IOException e) {
            // another demo took the pointer over, or it is gone already
        }
    }
}
