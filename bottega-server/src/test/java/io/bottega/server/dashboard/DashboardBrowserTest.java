package io.bottega.server.dashboard;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in real headless Chromium (Debian's chromium and chromium-driver, through Selenium) against a
 * controller with real agents: log in with a token, submit a job, see it in the queue, then on the machine
 * map, open its page, read its output. Screenshots go to {@code target/screenshots/}.
 */
class DashboardBrowserTest {
    @TempDir
    static Path dir;
    static DashboardCluster cluster;
    static ChromeDriver driver;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        String missing = Browser.missing();
        assertThat(missing).as("browser").isEmpty();
        System.setProperty(DashboardSettings.SAMPLE_SECONDS, "1");
        try {
            cluster = new DashboardCluster(dir, 16, 4);
        } finally {
            System.clearProperty(DashboardSettings.SAMPLE_SECONDS);
        }
        cluster.awaitNodesUp(Duration.ofSeconds(30));
        driver = Browser.start(dir.resolve("chromium"), 1400, 900);
        // the dashboard re-renders as data arrives: an element found a moment ago may have been replaced
        wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (cluster != null) cluster.close();
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    void go(String hash) {
        js("location.hash = arguments[0]", hash);
    }

    @Test
    void dashboard_loginSubmitQueueMapJobOutput() throws Exception {
        driver.get(cluster.url() + "/");
        WebElement token = wait.until(d -> d.findElement(By.id("token")).isDisplayed() ? d.findElement(By.id("token")) : null);
        Browser.screenshot(driver, "login");

        token.sendKeys("bt1.not-a-token");
        driver.findElement(By.id("login-button")).click();
        wait.until(d -> d.findElement(By.id("login-error")).getText().contains("Not accepted"));

        token.clear();
        token.sendKeys(cluster.userToken);
        driver.findElement(By.id("login-button")).click();
        wait.until(d -> d.findElement(By.id("whoami")).getText().contains(cluster.user));
        assertThat(js("return localStorage.getItem('bottega.token')")).isEqualTo(cluster.userToken);

        // some company for the job: a few running and held jobs of two projects
        List<Long> others = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            others.add(cluster.submit(cluster.job("#!/bin/sh\nsleep 60\n", "jobName", "train-" + i, "account", i % 2 == 0 ? "proj-llm" : "proj-climate",
                    "gpusPerNode", 1 + i % 4, "nodesMin", 1 + i % 2, "timeLimit", 3600)));
        }
        for (int i = 0; i < 5; i++) {
            others.add(cluster.submit(cluster.job("#!/bin/sh\ntrue\n", "jobName", "sweep-" + i, "account", "proj-climate", "hold", true,
                    "gpusPerNode", 4, "nodesMin", 2)));
        }
        long id = cluster.submit(cluster.job("#!/bin/bash\necho \"hello from the dashboard test on $(hostname)\"\nfor i in 1 2 3; do echo step $i; sleep 1; done\n"
                + "sleep 4\necho done\n", "jobName", "dashboard-demo", "account", "proj-llm", "gpusPerNode", 2, "nodesMin", 1,
                "stdoutPath", dir.resolve("demo-%j.out").toString()));

        // live updates reach the page (server-sent events, read with the token)
        wait.until(d -> Boolean.TRUE.equals(js("const u = window.__bottega.lastUpdate; return !!u && u.submitted >= 12")));

        // the queue
        go("#/queue");
        wait.until(d -> !d.findElements(By.cssSelector(".qrow[data-job='" + id + "']")).isEmpty());
        assertThat(driver.findElement(By.id("q-total")).getText()).contains("jobs");
        Browser.screenshot(driver, "queue");

        // the machine map: the job's node shows it on hover and on click
        go("#/map");
        wait.until(d -> Boolean.TRUE.equals(js("const m = window.__bottega.map; return !!(m && m.d && m.d.jobs.some(j => j.includes(arguments[0])))", id)));
        String node = (String) js("const m = window.__bottega.map; const i = m.d.jobs.findIndex(j => j.includes(arguments[0])); return m.d.name[i]", id);
        @SuppressWarnings("unchecked")
        Map<String, Object> at = (Map<String, Object>) js("return window.__bottega.map.offsetOf(arguments[0])", node);
        WebElement canvas = driver.findElement(By.id("map-canvas"));
        new Actions(driver).moveToElement(canvas, ((Number) at.get("x")).intValue(), ((Number) at.get("y")).intValue()).perform();
        wait.until(d -> d.findElement(By.id("map-tip")).isDisplayed() && d.findElement(By.id("map-tip")).getText().contains(Long.toString(id)));
        new Actions(driver).click().perform();
        WebElement link = wait.until(d -> d.findElements(By.cssSelector("#node-jobs a[data-job='" + id + "']")).stream().findFirst().orElse(null));
        assertThat(driver.findElement(By.id("node-panel")).getText()).contains(node, "dashboard-demo");
        Browser.screenshot(driver, "map");

        // its page, with its output as it is written
        link.click();
        wait.until(d -> d.findElement(By.id("job-title")).getText().contains("Job " + id));
        wait.until(d -> d.findElement(By.id("job-output")).getText().contains("hello from the dashboard test"));
        assertThat(driver.findElement(By.id("job-alloc")).getText()).contains(node);
        assertThat(driver.findElement(By.id("job-request")).getText()).contains("step $i");
        wait.until(d -> d.findElement(By.id("job-output")).getText().contains("step 3"));
        Browser.screenshot(driver, "job");
        wait.until(d -> d.findElement(By.id("job-output")).getText().contains("done"));
        wait.until(d -> d.findElement(By.cssSelector("#job-head .state")).getText().equals("COMPLETED"));
        assertThat(driver.findElement(By.id("job-output")).getText()).startsWith("hello from the dashboard test")
                .contains("step 1\nstep 2\nstep 3\ndone");
        String output = driver.findElement(By.id("job-output")).getText();

        // live updates while a read of the output is in flight start no second read of the same bytes (it showed
        // them twice): the page again, its output requests held back 800 ms, refreshed meanwhile
        go("#/overview");
        js("const f = window.__fetch = window.fetch; window.fetch = (u, o) => String(u).includes('/output')"
                + " ? new Promise(r => setTimeout(r, 800)).then(() => f(u, o)) : f(u, o)");
        go("#/job/" + id);
        wait.until(d -> d.findElement(By.id("job-title")).getText().contains("Job " + id));
        for (int i = 0; i < 4; i++) {
            js("window.__bottega.refresh()");
            Thread.sleep(200);
        }
        wait.until(d -> d.findElement(By.id("job-output")).getText().contains("done"));
        Thread.sleep(2500); // the reads of the refreshes, had they started, would have answered by now
        assertThat(driver.findElement(By.id("job-output")).getText()).isEqualTo(output);
        js("window.fetch = window.__fetch");

        // overview: counters and the history charts (ECharts from the jar)
        go("#/overview");
        wait.until(d -> !d.findElements(By.cssSelector("#chart-util canvas")).isEmpty());
        wait.until(d -> d.findElement(By.id("cards")).getText().contains("GPUs in use"));
        Thread.sleep(3000); // a few more history samples (one a second here)
        go("#/map");
        go("#/overview");
        wait.until(d -> !d.findElements(By.cssSelector("#chart-queue canvas")).isEmpty());
        Thread.sleep(500);
        Browser.screenshot(driver, "overview");

        // usage per project; no budget is invented
        go("#/usage");
        wait.until(d -> d.findElement(By.id("usage-table")).getText().contains("proj-llm"));
        assertThat(driver.findElement(By.id("usage-table")).getText()).contains("proj-climate", "no budget set");
        Browser.screenshot(driver, "usage");

        // another user sees the job, but not its script nor its output
        js("localStorage.setItem('bottega.token', arguments[0])", cluster.token("nobody", 65534, 65534));
        driver.get(cluster.url() + "/#/job/" + id);
        driver.navigate().refresh(); // a new hash alone does not reload the page
        wait.until(d -> d.findElement(By.id("job-title")).getText().contains("Job " + id));
        wait.until(d -> d.findElement(By.id("job-output-note")).getText().contains("Only the job's owner"));
        assertThat(driver.findElement(By.id("job-request")).getText()).doesNotContain("step $i");
        assertThat(driver.findElement(By.id("job-output")).getText()).isEmpty();

        // log out: the token is forgotten
        driver.findElement(By.id("logout")).click();
        wait.until(d -> d.findElement(By.id("login")).isDisplayed());
        assertThat(js("return localStorage.getItem('bottega.token')")).isNull();
        cluster.call("POST", "/api/v1/jobs/cancel", Map.of("ids", others.stream().map(String::valueOf).toList()), cluster.userToken);

        // no script error on the way (refused requests, like the wrong token above, are expected)
        List<String> errors = driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(org.openqa.selenium.logging.LogEntry::getMessage).filter(m -> !m.contains("Failed to load resource")).toList();
        assertThat(errors).isEmpty();
    }
}
