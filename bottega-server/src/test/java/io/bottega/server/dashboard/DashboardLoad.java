package io.bottega.server.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bottega.api.agent.GpuInfo;
import io.bottega.api.agent.NodeResources;
import io.bottega.core.model.Cluster;
import io.bottega.core.model.NodeSpec;
import io.bottega.core.model.PowerModel;
import io.bottega.core.sched.SchedulerConfig;
import io.bottega.server.Controller;
import io.bottega.server.ControllerConfig;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Load check of the dashboard at Leonardo's size (a benchmark, not a test): a controller with Leonardo's
 * 4,992 nodes (3,456 Booster nodes of 4 GPUs in cells of 180, 1,536 Data-Centric nodes), registered in-process
 * without agents, and 100,000 jobs submitted through the REST API as 100 arrays of 1,000; then the dashboard's
 * data is fetched (payload sizes, server time) and the page is rendered in headless Chromium (time to first
 * map and first queue rows). Prints a Markdown table for docs/benchmarks.md.
 *
 * <pre>
 * ./mvnw -q -B -pl bottega-server test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.bottega.server.dashboard.DashboardLoad [-Dexec.args="--runs 5 --forecast-seconds 5"]
 * </pre>
 */
public final class DashboardLoad {
    private static final String KEY = "load-check-cluster-key-0123456789";

    public static void main(String[] args) throws Exception {
        int runs = 3;
        // the scheduler's forecast of every pending job's start (squeue --start) is not what is measured here, and at
        // 90,000 pending jobs it holds the loop for minutes: by default it runs once, at the start
        Duration forecast = Duration.ofHours(24);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--forecast-seconds" -> forecast = Duration.ofSeconds(Long.parseLong(args[i + 1]));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--runs N, --forecast-seconds S)");
            }
        }
        Path dir = Files.createTempDirectory("bottega-dashboard-load");
        Cluster cluster = leonardo();
        ControllerConfig config = new ControllerConfig(dir.resolve("ctl"), "", "127.0.0.1", 0, null, cluster, SchedulerConfig.parse("easy"),
                KEY, Duration.ofHours(2), Duration.ofSeconds(10), Duration.ofSeconds(1), forecast, 30, false, Set.of(), null, 0);
        long t0 = System.nanoTime();
        try (Controller c = Controller.start(config)) {
            List<CompletableFuture<?>> regs = new ArrayList<>();
            for (int i = 0; i < cluster.nodeCount(); i++) {
                List<GpuInfo> gpus = new ArrayList<>();
                for (int g = 0; g < cluster.gpus(i); g++) gpus.add(new GpuInfo(g, "a100", 65536, ""));
                regs.add(c.loop().register(new NodeResources(cluster.nodeName(i), cluster.cores(i), cluster.memoryMb(i), gpus, List.of(),
                        cluster.node(i).group(), "none", "load")));
            }
            CompletableFuture.allOf(regs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            System.out.printf("registered %d nodes in %.1f s%n", cluster.nodeCount(), (System.nanoTime() - t0) / 1e9);
            // an operator's day: a cell's rack drained for maintenance, a few nodes down
            var operator = new io.bottega.server.jobs.Identity("root", 0, 0, true, "load");
            for (int i = 1261; i <= 1296; i++) c.loop().updateNode(String.format("lrdn%04d", i), "drain", "rack 7 maintenance", operator).get();
            for (int i : new int[] {77, 402, 2250, 3001}) c.loop().updateNode(String.format("lrdn%04d", i), "down", "GPU XID 79", operator).get();

            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            String token = c.tokens().issue("root", 0, 0, System.currentTimeMillis() / 1000 + 86400);
            long t1 = System.nanoTime();
            for (int a = 0; a < 100; a++) {
                String user = String.format("user%02d", a % 40);
                String userToken = c.tokens().issue(user, 10_000 + a % 40, 10_000, System.currentTimeMillis() / 1000 + 86400);
                Map<String, Object> job = new LinkedHashMap<>();
                boolean gpu = a % 10 < 7;
                job.put("script", "#!/bin/sh\nsrun ./train\n");
                job.put("submitDir", "/home/" + user);
                job.put("environment", Map.of("PATH", "/usr/bin:/bin"));
                job.put("jobName", (gpu ? "train-" : "analyse-") + a);
                job.put("account", String.format("proj%02d", a % 20));
                job.put("partition", gpu ? "boost_usr_prod" : "dcgp_usr_prod");
                job.put("array", "0-999");
                job.put("timeLimit", 3600L * (1 + a % 24));
                job.put("nodesMin", 1 + (a % 4 == 0 ? a % 8 : 0));
                if (gpu) job.put("gpusPerNode", 4);
                else job.put("cpusPerTask", 16 + 16 * (a % 3));
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(c.url() + "/api/v1/jobs"))
                        .header("Authorization", "Bearer " + userToken).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(job))).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 201) throw new IllegalStateException("submit failed: " + r.statusCode() + " " + r.body());
            }
            System.out.printf("submitted 100,000 jobs in %.1f s%n", (System.nanoTime() - t1) / 1e9);
            Thread.sleep(7000); // a pass and a forecast over the whole queue
            long[] u = c.loop().usage().get();
            System.out.printf("pending %d, running %d, GPUs in use %d of %d%n", u[3], u[4], u[1], cluster.totalGpus());

            var st = c.loop().stats();
            System.out.printf("scheduler: %d passes, %.1f s in all, last %.1f ms%n", st.passes.get(), st.passNanos.get() / 1e9,
                    st.lastPassNanos / 1e6);
            long b0 = System.nanoTime();
            int n = c.loop().jobBriefs().get().size();
            System.out.printf("loop: jobBriefs() of %d jobs took %.1f ms (round trip)%n", n, (System.nanoTime() - b0) / 1e6);

            List<String[]> rows = new ArrayList<>();
            for (String path : List.of("/api/v1/dashboard/map", "/api/v1/dashboard/queue?limit=200", "/api/v1/dashboard/queue?limit=200&offset=50000&sort=predicted",
                    "/api/v1/dashboard/queue?limit=200&q=user07&state=PENDING", "/api/v1/dashboard/summary", "/api/v1/dashboard/history?hours=6",
                    "/api/v1/dashboard/usage?days=30", "/metrics")) {
                rows.add(measure(http, c.url() + path, token));
            }
            System.out.println();
            System.out.println("| request | bytes | gzip bytes | server time, median of 10 (ms) |");
            System.out.println("|---|---:|---:|---:|");
            for (String[] r : rows) System.out.printf("| `%s` | %s | %s | %s |%n", r[0], r[1], r[2], r[3]);

            ChromeDriver driver = Browser.start(dir.resolve("chromium"), 1600, 1000);
            try {
                double[] map = new double[runs];
                double[] mapFetch = new double[runs];
                double[] mapDraw = new double[runs];
                double[] queue = new double[runs];
                for (int i = 0; i < runs; i++) {
                    driver.get(c.url() + "/");
                    js(driver, "localStorage.setItem('bottega.token', arguments[0])", token);
                    driver.get("about:blank");
                    driver.get(c.url() + "/#/map");
                    Map<?, ?> m = (Map<?, ?>) waitFor(driver, "return window.__bottega && window.__bottega.marks.map || null");
                    map[i] = ((Number) m.get("drawn")).doubleValue();
                    mapFetch[i] = ((Number) m.get("fetchMs")).doubleValue();
                    mapDraw[i] = ((Number) m.get("drawMs")).doubleValue();
                    if (i == 0) Browser.screenshot(driver, "map-leonardo");
                    driver.get("about:blank");
                    driver.get(c.url() + "/#/queue");
                    queue[i] = ((Number) waitFor(driver, "return window.__bottega && window.__bottega.marks.queue || null")).doubleValue();
                    if (i == 0) Browser.screenshot(driver, "queue-leonardo");
                }
                js(driver, "document.getElementById('q-scroll').scrollTop = 26 * 60000");
                long s0 = System.nanoTime();
                waitFor(driver, "return document.querySelector('.qrow[style*=\"top:1560000px\"]') ? true : null");
                double scroll = (System.nanoTime() - s0) / 1e6;
                System.out.println();
                System.out.printf("Chromium, %d page loads each (median):%n", runs);
                System.out.println("| view | time to first render (ms since navigation) | of which: data fetch (ms) | draw (ms) |");
                System.out.println("|---|---:|---:|---:|");
                System.out.printf("| machine map, %,d nodes | %.0f | %.0f | %.0f |%n", cluster.nodeCount(), median(map), median(mapFetch), median(mapDraw));
                System.out.printf("| queue, first 200 of %,d jobs | %.0f | | |%n", n, median(queue));
                System.out.printf("| queue, jump to row 60,000 | %.0f (from scroll to rows drawn) | | |%n", scroll);
            } finally {
                driver.quit();
            }
        }
    }

    static Cluster leonardo() {
        Cluster.Builder b = Cluster.builder("leonardo");
        List<String> booster = new ArrayList<>();
        List<String> dcgp = new ArrayList<>();
        for (int i = 1; i <= 3456; i++) {
            String n = String.format("lrdn%04d", i);
            booster.add(n);
            b.node(new NodeSpec(n, 32, 512_000, 4, "a100", Set.of(), String.format("cell%02d", 1 + (i - 1) / 180), true, PowerModel.NONE));
        }
        for (int i = 1; i <= 1536; i++) {
            String n = String.format("lrdc%04d", i);
            dcgp.add(n);
            b.node(new NodeSpec(n, 112, 512_000, 0, "", Set.of(), String.format("dcgp%02d", 1 + (i - 1) / 180), true, PowerModel.NONE));
        }
        b.partition("boost_usr_prod", booster, 3600, 86400, 64, true, 1);
        b.partition("dcgp_usr_prod", dcgp, 3600, 86400, 16, false, 1);
        return b.build();
    }

    static String[] measure(HttpClient http, String url, String token) throws Exception {
        byte[] body = null;
        double[] ms = new double[10];
        for (int i = 0; i < 12; i++) {
            long t = System.nanoTime();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) throw new IllegalStateException(url + ": " + r.statusCode() + " " + new String(r.body()));
            if (i >= 2) ms[i - 2] = (System.nanoTime() - t) / 1e6;
            body = r.body();
            Thread.sleep(i >= 2 ? 1100 : 0); // past the one-second snapshot cache: each timed request takes a fresh copy
        }
        var gz = new java.io.ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(body);
        }
        String path = url.substring(url.indexOf("/", 8));
        return new String[] {path, String.format("%,d", body.length), String.format("%,d", gz.size()), String.format("%.1f", median(ms))};
    }

    static Object js(ChromeDriver d, String script, Object... args) {
        return ((JavascriptExecutor) d).executeScript(script, args);
    }

    static Object waitFor(ChromeDriver d, String script) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Object v = js(d, script);
            if (v != null) return v;
            Thread.sleep(20);
        }
        throw new IllegalStateException("timed out waiting for: " + script);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
