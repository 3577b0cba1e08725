package dev.tensorj.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs a fixture class (a static nested class, which neither Surefire nor Jupiter runs on its own)
 * through the JUnit Platform, as a build would, and keeps each test's and container's outcome:
 * what junit-platform-testkit's EngineTestKit does, with the launcher the build already has.
 */
final class FixtureRun {
    /** One test's or container's outcome. */
    record Outcome(String name, boolean isTest, TestExecutionResult.Status status, Throwable throwable,
                   List<Map<String, String>> entries) {
        String message() {
            return throwable == null ? "" : String.valueOf(throwable.getMessage());
        }

        @Override
        public String toString() {
            return name + ": " + status + (throwable == null ? "" : " (" + throwable + ")");
        }
    }

    private final List<Outcome> outcomes;

    private FixtureRun(List<Outcome> outcomes) {
        this.outcomes = outcomes;
    }

    static FixtureRun of(Class<?> fixture) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture))
                .build();
        // Without the listeners of the build's own run (the CUDA tally): the fixture's tests are not the suite's.
        Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false).build());
        List<Outcome> out = new ArrayList<>();
        Map<String, List<Map<String, String>>> entries = new ConcurrentHashMap<>();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
                entries.computeIfAbsent(id.getUniqueId(), k -> new ArrayList<>()).add(entry.getKeyValuePairs());
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                out.add(new Outcome(id.getDisplayName(), id.isTest(), null, null, List.of()));
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                out.add(new Outcome(id.getDisplayName(), id.isTest(), result.getStatus(),
                        result.getThrowable().orElse(null), entries.getOrDefault(id.getUniqueId(), List.of())));
            }

            @Override
            public void testPlanExecutionFinished(TestPlan plan) {}
        });
        return new FixtureRun(out);
    }

    /** The tests' outcomes, in the order they finished. */
    List<Outcome> tests() {
        return outcomes.stream().filter(Outcome::isTest).collect(Collectors.toList());
    }

    /** The one test whose display name is {@code name} (for a parameterised case, "[2] cuda:0"). */
    Outcome test(String name) {
        List<Outcome> found = tests().stream().filter(o -> o.name().equals(name)).collect(Collectors.toList());
        if (found.size() != 1) {
            throw new AssertionError("expected one test named '" + name + "', found " + found + " in " + outcomes);
        }
        return found.get(0);
    }

    /** The fixture class's own outcome (where @BeforeAll/@AfterAll failures land). */
    Outcome container(Class<?> fixture) {
        String name = fixture.getName().substring(fixture.getName().lastIndexOf('.') + 1); // Outer$Nested
        Optional<Outcome> c = outcomes.stream().filter(o -> !o.isTest() && o.name().equals(name))
                .findFirst();
        return c.orElseThrow(() -> new AssertionError("no container " + name + " in " + outcomes));
    }

    @Override
    public String toString() {
        return outcomes.toString();
    }
}
