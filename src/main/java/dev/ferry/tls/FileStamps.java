package dev.ferry.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a set of files looked like when they were read: modification time, size and file identity,
 * following symlinks (so a Kubernetes-style swap of a {@code ..data} link counts as a change).
 */
final class FileStamps {
    private record Stamp(Path path, Object key, long modified, long size) {}

    private final List<Stamp> stamps;

    private FileStamps(List<Stamp> stamps) {
        this.stamps = stamps;
    }

    static FileStamps of(List<Path> files) {
        List<Stamp> s = new ArrayList<>();
        for (Path p : files) s.add(stamp(p));
        return new FileStamps(List.copyOf(s));
    }

    boolean changed() {
        for (Stamp s : stamps) {
            if (!s.equals(stamp(s.path()))) return true;
        }
        return false;
    }

    private static Stamp stamp(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return new Stamp(p, Objects.requireNonNullElse(a.fileKey(), ""), a.lastModifiedTime().toMillis(), a.size());
        } catch (IOException | SecurityException e) {
            return new Stamp(p, "missing", -1, -1);
        }
    }

}
