package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the shipped jar holds and which way the imports point, read from the build output and the
 * source tree: the test kit stays out of the product, and the command line sits on top of everything.
 */
class LayoutTest {
    private static final Path MAIN = Path.of("src/main/java/dev/ferry");
    private static final Path TEST = Path.of("src/test/java/dev/ferry");
    /** A reference to a Ferry class or package: {@code dev.ferry.topology.Verdict}, {@code dev.ferry.Ferry}, {@code dev.ferry.demo.group.*}. */
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.ferry\\.((?:[a-z]\\w*\\.)*)(?:([A-Z]\\w*)|\\*)");
    /** The package that holds Ferry, Launcher: the running server, below the command line. */
    private static final String ROOT = "(root)";

    @Test
    void theMainClassesHoldNoTestKitClass() throws IOException {
        Path classes = Path.of(Ferry.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        assertThat(classes).as("Ferry's classes are a directory under Maven").isDirectory();

        List<String> found;
        try (Stream<Path> files = Files.walk(classes)) {
            found = files.map(p -> classes.relativize(p).toString().replace('\\', '/')).filter(LayoutTest::isTestKit).toList();
        }

        assertThat(found).as("test-kit classes in %s", classes).isEmpty();
    }

    @Test
    void theReleaseJarHoldsNoTestKitClass() throws IOException {
        Path jar = Path.of("target/ferry.jar");
        assumeTrue(Files.isRegularFile(jar) && builtFromTheseClasses(jar), "target/ferry.jar is absent or older than target/classes");

        List<String> found = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = j.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (isTestKit(name)) found.add(name);
            }
        }

        assertThat(found).as("test-kit classes in %s", jar).isEmpty();
    }

    @Test
    void onlyTheCommandLineImportsTheCommandLine() {
        assertThat(referencesBetween(p -> !p.equals("cli"), Set.of("cli"))).isEmpty();
    }

    @Test
    void theProxyAndTheTopologyImportNeitherAdminNorCliNorDemoNorDrillNorTheServerAboveThem() {
        assertThat(referencesBetween(p -> p.equals("proxy") || p.equals("topology"),
                Set.of("admin", "cli", "demo", "drill", "failover", ROOT))).isEmpty();
    }

    @Test
    void configurationAndTheRespClientImportNothingAboveThem() {
        assertThat(referencesBetween(p -> p.equals("config"), Set.of("admin", "cli", "demo", "drill", "failover", "proxy",
                "resp", "topology", ROOT))).isEmpty();
        assertThat(referencesBetween(p -> p.equals("resp"), Set.of("admin", "cli", "demo", "drill", "failover", "proxy",
                "topology", ROOT))).isEmpty();
    }

    @Test
    void theDemoDoesNotImportTheDrillThatDrillsIt() {
        assertThat(referencesBetween(p -> p.equals("demo"), Set.of("drill", "cli"))).isEmpty();
    }

    @Test
    void noMainSourceLivesInOrRefersToAPackageThatOnlyTestsHave() {
        Set<String> mainPackages = packagesUnder(MAIN);
        Set<String> testOnly = new TreeSet<>(packagesUnder(TEST));
        testOnly.removeAll(mainPackages);
        assertThat(testOnly).as("packages only tests have").contains("dev.ferry.testkit");

        assertThat(mainPackages).as("main packages").doesNotContainAnyElementsOf(testOnly);
        List<String> refs = new ArrayList<>();
        sources(MAIN).forEach((file, text) -> {
            Matcher m = REFERENCE.matcher(text);
            while (m.find()) {
                String pkg = ("dev.ferry." + m.group(1)).replaceAll("\\.$", "");
                if (testOnly.contains(pkg)) refs.add(MAIN.relativize(file) + " -> " + m.group());
            }
        });
        assertThat(refs).isEmpty();
    }

    /** A class file or entry of a test kit: in a {@code testkit} package, or named as a class of src/test's test kit. */
    private static boolean isTestKit(String path) {
        if (!path.endsWith(".class")) return false;
        if (path.contains("/testkit/") || path.startsWith("testkit/")) return true;
        String simple = path.substring(path.lastIndexOf('/') + 1).replaceFirst("[$.].*", "");
        return path.startsWith("dev/ferry/") && TestKit.CLASSES.contains(simple);
    }

    private static final class TestKit {
        static final Set<String> CLASSES = classNames(TEST.resolve("testkit"));
    }

    private static Set<String> classNames(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java"))
                    .map(n -> n.substring(0, n.length() - 5)).filter(n -> !n.endsWith("Test")).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean builtFromTheseClasses(Path jar) throws IOException {
        Path classes = Path.of("target/classes");
        if (!Files.isDirectory(classes)) return false;
        long newest;
        try (Stream<Path> files = Files.walk(classes)) {
            newest = files.filter(Files::isRegularFile).mapToLong(LayoutTest::modified).max().orElse(0);
        }
        return modified(jar) >= newest;
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "file (package) -> reference" for each reference from a main package matching {@code from} into one of {@code to}. */
    private static List<String> referencesBetween(java.util.function.Predicate<String> from, Set<String> to) {
        List<String> found = new ArrayList<>();
        sources(MAIN).forEach((file, text) -> {
            String own = topPackage(MAIN.relativize(file).getParent());
            if (!from.test(own)) return;
            Matcher m = REFERENCE.matcher(text);
            while (m.find()) {
                String first = m.group(1).isEmpty() ? ROOT : m.group(1).substring(0, m.group(1).indexOf('.'));
                if (!first.equals(own) && to.contains(first)) found.add(MAIN.relativize(file) + " -> " + m.group());
            }
        });
        return found;
    }

    private static String topPackage(Path relativeDir) {
        return relativeDir == null ? ROOT : relativeDir.getName(0).toString();
    }

    private static Map<Path, String> sources(Path root) {
        Map<Path, String> texts = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) texts.put(f, Files.readString(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(texts).as("sources under %s (run from the project root)", root).isNotEmpty();
        return texts;
    }

    private static Set<String> packagesUnder(Path root) {
        Set<String> packages = new TreeSet<>();
        sources(root).keySet().forEach(f -> {
            Path dir = root.relativize(f).getParent();
            packages.add(dir == null ? "dev.ferry" : "dev.ferry." + dir.toString().replace('/', '.'));
        });
        return packages;
    }
}
