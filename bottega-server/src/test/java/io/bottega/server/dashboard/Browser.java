package io.bottega.server.dashboard;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's headless Chromium driven through chromedriver, for the dashboard's browser tests and its load
 * check. Nothing is downloaded: when the browser is missing this fails and says what to install.
 */
public final class Browser {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private Browser() {}

    /** What is missing to run a browser test, or "" when Chromium and chromedriver are there. */
    public static String missing() {
        List<String> m = new ArrayList<>();
        if (!Files.isExecutable(CHROMIUM)) m.add(CHROMIUM + " (Debian package chromium)");
        if (!Files.isExecutable(CHROMEDRIVER)) m.add(CHROMEDRIVER + " (Debian package chromium-driver)");
        return m.isEmpty() ? "" : "the dashboard's browser tests need " + String.join(" and ", m)
                + ": install them with 'apt-get install -y chromium chromium-driver' (scripts/test does)";
    }

    /** A fresh headless Chromium with its own profile directory under {@code profile}. */
    public static ChromeDriver start(Path profile, int width, int height) throws IOException {
        String missing = missing();
        if (!missing.isEmpty()) throw new AssertionError(missing);
        Files.createDirectories(profile);
        // through the system properties, not ChromeDriverService.Builder: that class carries @AutoService, whose
        // class file is not on the path, and javac's [classfile] warning would fail the build under -Werror
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        System.setProperty(ChromeDriverService.CHROME_DRIVER_LOG_PROPERTY, profile.resolve("chromedriver.log").toString());
        ChromeDriverService service = ChromeDriverService.createDefaultService();
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=" + width + "," + height, "--hide-scrollbars");
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL); // the page's console, for the tests
        o.setCapability("goog:loggingPrefs", logs);
        return new ChromeDriver(service, o);
    }

    /** Saves a screenshot as {@code target/screenshots/<name>.png}; returns its path. */
    public static Path screenshot(ChromeDriver driver, String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Path to = SCREENSHOTS.resolve(name + ".png");
        Files.copy(f.toPath(), to, StandardCopyOption.REPLACE_EXISTING);
        return to;
    }
}
