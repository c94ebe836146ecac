package io.bottega.app.dashboard;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard of a running {@code bottega up} (the packaged jar, a real process) in real headless Chromium:
 * a token from {@code bottega token}, a job from {@code sbatch} (real client processes), then the job in the
 * queue, on the machine map, its page and its output. Screenshots go to {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardUpIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    Path dir;
    Path log;
    Process up;
    int port;
    Path socket;
    ChromeDriver driver;
    WebDriverWait wait;

    @BeforeAll
    void start() throws Exception {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(CHROMIUM)) missing.add(CHROMIUM + " (Debian package chromium)");
        if (!Files.isExecutable(CHROMEDRIVER)) missing.add(CHROMEDRIVER + " (Debian package chromium-driver)");
        assertThat(missing).as("the dashboard's browser test needs Chromium: apt-get install -y chromium chromium-driver "
                + "(scripts/test installs them)").isEmpty();
        dir = Files.createTempDirectory(Path.of("/tmp"), "bottega-dashboard-it");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        socket = dir.resolve("bottega.sock");
        log = dir.resolve("up.log");
        ProcessBuilder pb = new ProcessBuilder(command("up", "--data-dir", dir.resolve("data").toString(), "--nodes", "6", "--cores", "8",
                "--gpus", "4", "--memory", "16000", "--port", Integer.toString(port), "--socket", socket.toString(), "--kill-grace", "2"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env());
        up = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.readString(log).contains("Dashboard:")) {
            if (!up.isAlive() || System.nanoTime() > deadline) throw new AssertionError("bottega up did not start:\n" + Files.readString(log));
            Thread.sleep(200);
        }
        Path profile = dir.resolve("chromium");
        Files.createDirectories(profile);
        // through the system properties, not ChromeDriverService.Builder, whose @AutoService annotation's class is
        // not on the path (javac's [classfile] warning would fail the build under -Werror)
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        System.setProperty(ChromeDriverService.CHROME_DRIVER_LOG_PROPERTY, dir.resolve("chromedriver.log").toString());
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1400,900");
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(ChromeDriverService.createDefaultService(), o);
        // the dashboard re-renders as data arrives: an element found a moment ago may have been replaced
        wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) driver.quit();
        if (up != null && up.isAlive()) {
            up.destroy();
            if (!up.waitFor(30, TimeUnit.SECONDS)) up.destroyForcibly();
        }
    }

    Map<String, String> env() {
        return Map.of("BOTTEGA_SOCKET", socket.toString(), "BOTTEGA_PORT", Integer.toString(port), "TZ", "UTC");
    }

    static List<String> command(String... args) {
        String jar = System.getProperty("bottega.jar");
        if (jar == null) throw new IllegalStateException("system property bottega.jar is not set (run through failsafe)");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-jar");
        cmd.add(jar);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs a client of the jar to its end; returns what it printed, failing on a non-zero exit. */
    String cli(String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command(args)).directory(dir.toFile());
        pb.environment().putAll(env());
        pb.environment().remove("BOTTEGA_ARGV0");
        Path out = Files.createTempFile(dir, "cli", ".out");
        pb.redirectErrorStream(true).redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not finish");
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new AssertionError(String.join(" ", args) + ": exit " + p.exitValue() + ": " + text);
        return text;
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    void screenshot(String name) throws IOException {
        Path to = Path.of("target", "screenshots", name + ".png");
        Files.createDirectories(to.getParent());
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), to, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void dashboard_showsAJobSubmittedWithSbatch() throws Exception {
        try {
            story();
        } catch (Exception | AssertionError e) {
            screenshot("up-failure");
            throw new AssertionError(e.getMessage() + "\nthe page said: " + driver.findElement(By.tagName("body")).getText()
                    + "\nconsole: " + driver.manage().logs().get("browser").getAll(), e);
        }
    }

    void story() throws Exception {
        String token = cli("token").strip();
        assertThat(token).startsWith("bt1.");
        String url = "http://127.0.0.1:" + port + "/";
        assertThat(Files.readString(log)).contains("Dashboard:  " + url);

        driver.get(url);
        WebElement field = wait.until(d -> d.findElement(By.id("token")).isDisplayed() ? d.findElement(By.id("token")) : null);
        field.sendKeys(token);
        driver.findElement(By.id("login-button")).click();
        wait.until(d -> d.findElement(By.id("whoami")).getText().contains(System.getProperty("user.name")));

        String out = dir.resolve("hello-%j.out").toString();
        long id = Long.parseLong(cli("sbatch", "--parsable", "-J", "hello-dashboard", "-A", "proj-demo", "--gpus-per-node=2", "-o", out,
                "--wrap", "echo hello from sbatch; sleep 6; echo bye").strip().split(";")[0]);

        js("location.hash = '#/queue'");
        wait.until(d -> !d.findElements(By.cssSelector(".qrow[data-job='" + id + "']")).isEmpty());
        screenshot("up-queue");

        js("location.hash = '#/map'");
        wait.until(d -> Boolean.TRUE.equals(js("const m = window.__bottega.map; return !!(m && m.d && m.d.jobs.some(j => j.includes(arguments[0])))", id)));
        String node = (String) js("const m = window.__bottega.map; return m.d.name[m.d.jobs.findIndex(j => j.includes(arguments[0]))]", id);
        @SuppressWarnings("unchecked")
        Map<String, Object> at = (Map<String, Object>) js("return window.__bottega.map.offsetOf(arguments[0])", node);
        new Actions(driver).moveToElement(driver.findElement(By.id("map-canvas")), ((Number) at.get("x")).intValue(),
                ((Number) at.get("y")).intValue()).click().perform();
        By link = By.cssSelector("#node-jobs a[data-job='" + id + "']");
        wait.until(d -> !d.findElements(link).isEmpty());
        screenshot("up-map");

        // the node's panel is drawn again with each refresh of the map: a link found just before may be gone at the click
        wait.until(d -> {
            try {
                d.findElement(link).click();
                return true;
            } catch (StaleElementReferenceException | NoSuchElementException e) {
                return false;
            }
        });
        wait.until(d -> d.findElement(By.id("job-title")).getText().contains("hello-dashboard"));
        wait.until(d -> d.findElement(By.id("job-output")).getText().contains("hello from sbatch"));
        screenshot("up-job");
        wait.until(d -> d.findElement(By.id("job-output")).getText().contains("bye"));
        wait.until(d -> d.findElement(By.cssSelector("#job-head .state")).getText().equals("COMPLETED"));
        assertThat(driver.findElement(By.id("job-output")).getText()).isEqualTo("hello from sbatch\nbye");
        assertThat(cli("sacct", "-j", Long.toString(id), "-n", "-P", "--format=State")).contains("COMPLETED");
    }
}
