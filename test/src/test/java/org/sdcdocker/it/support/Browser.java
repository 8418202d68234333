package org.sdcdocker.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real browser for the tests: Debian's chromium, headless, driven through Debian's chromedriver
 * by Selenium, with a profile of its own and none of its background connections (this machine's
 * network is closed). Closing it ends chromium, chromedriver and the profile.
 */
public final class Browser implements AutoCloseable {
  private final Path profile;
  private final ChromeDriverService service;
  public final WebDriver driver;

  public Browser() throws IOException {
    profile = Files.createTempDirectory("sdc-chromium");
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions o = new ChromeOptions();
    o.setBinary("/usr/bin/chromium");
    o.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--user-data-dir=" + profile);
    driver = new ChromeDriver(service, o);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  /** Waits (at most {@code seconds}) until {@code condition} holds of the page, and returns it. */
  public <T> T await(int seconds, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(200))
        .until(condition::apply);
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      service.stop();
      TestFiles.deleteTree(profile);
    }
  }
}
