package io.omix.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The console in a real browser: Debian's headless Chromium driven by Selenium through Debian's
 * chromedriver. The server runs in-process with its demo data. Screenshots of the main pages are
 * written to {@code target/screenshots/}, or to {@code docs/screenshots/} (linked from the README) with
 * {@code OMIX_UPDATE_SCREENSHOTS=true}.
 *
 * <p>Skipped where Chromium is not installed, unless {@code OMIX_TEST_REQUIRE_BROWSER=true} (CI), which makes
 * a missing browser a failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {
    static final String CHROMIUM = System.getenv().getOrDefault("OMIX_TEST_CHROMIUM", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("OMIX_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
    /**
     * Where screenshots go: the build's own directory, so that running the tests leaves the checkout
     * as it was; docs/screenshots when OMIX_UPDATE_SCREENSHOTS=true (to refresh the README's pictures).
     */
    static final Path SCREENSHOTS = "true".equals(System.getenv("OMIX_UPDATE_SCREENSHOTS"))
            ? Path.of("..", "docs", "screenshots") : Path.of("target", "screenshots");

    private TestServer server;
    private JsonNode demo;
    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    void start() throws Exception {
        boolean installed = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
        if (!installed && "true".equals(System.getenv("OMIX_TEST_REQUIRE_BROWSER"))) {
            throw new AssertionError("OMIX_TEST_REQUIRE_BROWSER=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing");
        }
        assumeTrue(installed, "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
        server = TestServer.builder().setting("demo.enabled", "true").start();
        demo = new ObjectMapper().readTree(Files.readString(server.server().demoCredentials().orElseThrow()));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                "--lang=en-US", "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterAll
    void stop() {
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    private void open(String path) {
        browser.get(server.url() + path);
    }

    /** Signs out whoever is signed in, then signs in through the console's login form. */
    private void signIn(String section) {
        browser.manage().deleteAllCookies();
        open("/console/login?lang=en");
        browser.findElement(By.id("username")).sendKeys(demo.path(section).path("username").asText());
        browser.findElement(By.id("password")).sendKeys(demo.path(section).path("password").asText());
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("signed-in-as")));
    }

    private void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Object height = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, Math.min(3000, Math.max(900, ((Number) height).intValue()))));
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }

    private WebElement waitFor(String id) {
        return wait.until(ExpectedConditions.presenceOfElementLocated(By.id(id)));
    }

    @Test
    void signInAndConsentGiveAnAuthorizationCode() throws Exception {
        // A client whose redirect URI is this server's /ping, so the browser lands somewhere that answers.
        String redirect = server.url() + "/ping";
        ClientStore.Created client = new ClientStore(server.server().platform()).create("Browser test app", List.of(redirect),
                Set.of(OAuthClient.AUTHORIZATION_CODE), Set.of("profile", "samples"), false, null);
        browser.manage().deleteAllCookies();
        open("/oauth2/authorize?response_type=code&client_id=" + client.client().clientId() + "&redirect_uri="
                + URLEncoder.encode(redirect, StandardCharsets.UTF_8) + "&scope=profile%20samples&state=s-42");
        assertTrue(browser.findElement(By.tagName("h1")).getText().contains("Authorize"));
        browser.findElement(By.id("username")).sendKeys(demo.path("user").path("username").asText());
        browser.findElement(By.id("password")).sendKeys(demo.path("user").path("password").asText());
        screenshot("consent");
        browser.findElement(By.cssSelector("button[value=approve]")).click();
        wait.until(ExpectedConditions.urlContains("code="));
        Map<String, String> query = query(URI.create(browser.getCurrentUrl()));
        assertEquals("s-42", query.get("state"));
        // The code is real: the token endpoint exchanges it for a token that reads the user's profile.
        HttpClient http = HttpClient.newHttpClient();
        String form = "grant_type=authorization_code&code=" + URLEncoder.encode(query.get("code"), StandardCharsets.UTF_8) + "&redirect_uri="
                + URLEncoder.encode(redirect, StandardCharsets.UTF_8) + "&client_id=" + client.client().clientId() + "&client_secret=" + client.secret();
        JsonNode token = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(server.url() + "/oauth2/access_token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String accessToken = token.path("data").path("access_token").asText(token.path("access_token").asText());
        JsonNode profile = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(server.url() + "/profile"))
                .header("Authorization", "Bearer " + accessToken).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("demo", profile.path("data").path("username").asText(), profile.toString());
    }

    @Test
    void samplePageDrawsTheTaxaOfTheSampleAgainstTheCohort() throws Exception {
        signIn("user");
        open("/console/samples");
        WebElement samples = waitFor("samples-table");
        assertEquals(2, samples.findElements(By.cssSelector("tbody tr")).size(), "the demo user owns two samples");
        assertFalse(samples.getText().codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN),
                "an English page says the samples' status and omic in English: " + samples.getText());
        screenshot("samples");
        String sample = demo.path("microbiome").path("biosample_id").asText();
        browser.findElement(By.linkText(sample)).click();
        WebElement chart = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#taxa-chart[data-points] canvas")));
        assertNotNull(chart);
        assertFalse(browser.findElement(By.id("variants-form")).isDisplayed(), "a metagenomics sample offers no variant lookup");
        int expected = server.server().platform().database().jdbc()
                .queryOne("SELECT COUNT(*) FROM taxon_abundance a JOIN taxa x ON x.taxon_id = a.taxon_id WHERE a.biosample_id = ? AND x.rank = 'species'",
                        rs -> rs.getInt(1), sample).orElseThrow();
        assertTrue(expected > 0);
        assertEquals(String.valueOf(expected), browser.findElement(By.id("taxa-chart")).getAttribute("data-points"));
        int all = server.server().platform().database().jdbc()
                .queryOne("SELECT COUNT(*) FROM taxon_abundance WHERE biosample_id = ?", rs -> rs.getInt(1), sample).orElseThrow();
        assertEquals(all, browser.findElements(By.cssSelector("#taxa-rows tbody tr")).size(), "the table view lists every rank");
        // Another rank redraws the chart with that rank's taxa.
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("taxa-rank"))).selectByValue("phylum");
        int phyla = server.server().platform().database().jdbc().queryOne("SELECT COUNT(*) FROM taxon_abundance a JOIN taxa x ON x.taxon_id = a.taxon_id"
                + " WHERE a.biosample_id = ? AND x.rank = 'phylum'", rs -> rs.getInt(1), sample).orElseThrow();
        assertEquals(String.valueOf(phyla), browser.findElement(By.id("taxa-chart")).getAttribute("data-points"));

        // Functional profiles: one row per function of the chosen catalog.
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("catalog"))).selectByValue("ko");
        browser.findElement(By.cssSelector("#func-form button")).click();
        int functions = server.server().platform().database().jdbc().queryOne(
                "SELECT COUNT(*) FROM func_abundance WHERE biosample_id = ? AND catalog = 'ko'", rs -> rs.getInt(1), sample).orElseThrow();
        assertTrue(functions > 0);
        assertEquals(functions, waitFor("func-table").findElements(By.cssSelector("tbody tr")).size());

        // Variant lookup on the genomics sample: the genotype from the demo VCF, and unknown ids marked not assayed.
        open("/console/samples/" + demo.path("samples").path("genomics").asText());
        waitFor("rsids");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("rsids"))).sendKeys("rs762551, rs1");
        assertFalse(browser.findElement(By.id("taxa-chart")).isDisplayed(), "a genomics sample offers no abundances");
        browser.findElement(By.cssSelector("#variants-form button")).click();
        WebElement variants = waitFor("variants-table");
        List<WebElement> rows = variants.findElements(By.cssSelector("tbody tr"));
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).getText().contains("C/A"), rows.get(0).getText());
        assertTrue(rows.get(1).getText().contains("not assayed"), rows.get(1).getText());
        open("/console/samples/" + sample);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#taxa-chart[data-points] canvas")));
        screenshot("sample");
    }

    @Test
    void streamPageChartsAYearOfHeartRate() throws Exception {
        signIn("user");
        open("/console/streams");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#stream-sample option")));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("stream-sample"))).selectByValue(demo.path("streams").path("biosample_id").asText());
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("stream-element"))).selectByValue(demo.path("streams").path("heart_rate").asText());
        browser.findElement(By.cssSelector("#streams-form button")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#stream-chart[data-points] canvas")));
        assertEquals("365", browser.findElement(By.id("stream-chart")).getAttribute("data-points"), "a year of daily records, across four pages");
        assertEquals(365, browser.findElements(By.cssSelector("#stream-rows tbody tr")).size());
        screenshot("streams");
        // Dragging across a fifth of the plot zooms in to about a fifth of the year.
        WebElement plot = browser.findElement(By.cssSelector("#stream-chart .u-over"));
        int width = plot.getSize().getWidth();
        new org.openqa.selenium.interactions.Actions(browser).moveToElement(plot, -width / 10, 0).clickAndHold()
                .moveByOffset(width / 5, 0).release().perform();
        wait.until(d -> !"365".equals(d.findElement(By.id("stream-chart")).getAttribute("data-visible")));
        int visible = Integer.parseInt(browser.findElement(By.id("stream-chart")).getAttribute("data-visible"));
        assertTrue(visible > 40 && visible < 110, "about 73 days in view after zooming, not " + visible);
    }

    @Test
    void filesPageGivesASignedDownloadLink() throws Exception {
        signIn("user");
        open("/console/files");
        WebElement files = waitFor("files-table");
        assertTrue(files.getText().contains("caffeine-report.txt"), files.getText());
        files.findElement(By.cssSelector("tbody button")).click();
        WebElement link = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#files-table a.signed")));
        String url = link.getAttribute("href");
        assertTrue(url.contains("Signature="), url);
        HttpResponse<String> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, download.statusCode());
        assertTrue(download.body().startsWith("Omix demo report"), download.body());
        screenshot("files");
        // Another user's files page does not list it.
        signIn("second_user");
        open("/console/files");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#files p.empty")));
    }

    @Test
    void aPersonSeesWhoUsedTheirDataAndRevokesAnAppAndTheOperatorVerifiesTheTrail() throws Exception {
        var platform = server.server().platform();
        String userId = demo.path("user").path("user_id").asText();
        ClientStore.Created app = new ClientStore(platform).create("Step counter", List.of("http://127.0.0.1:9/cb"),
                Set.of(OAuthClient.AUTHORIZATION_CODE), Set.of("samples"), false, null);
        new io.omix.server.oauth.ConsentStore(platform).remember(userId, app.client().clientId(), Set.of("samples"));
        String token = new io.omix.server.oauth.TokenStore(platform).issue(io.omix.server.oauth.TokenStore.newFamily(), app.client().clientId(),
                userId, OAuthClient.AUTHORIZATION_CODE, "samples", null, true).accessToken();
        HttpRequest read = HttpRequest.newBuilder(URI.create(server.url() + "/samples")).header("Authorization", "Bearer " + token).build();
        assertTrue(HttpClient.newHttpClient().send(read, HttpResponse.BodyHandlers.ofString()).body().startsWith("{\"code\":0"));

        signIn("user");
        open("/console/usage");
        WebElement usage = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#usage section")));
        assertTrue(usage.getText().contains("Step counter") && usage.getText().contains("GET /samples"), usage.getText());
        screenshot("usage");
        // Take your data with you: the archive is built as a task, then its signed link downloads a zip.
        browser.findElement(By.id("export-button")).click();
        WebElement link = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("export-link")));
        screenshot("export");
        byte[] archive = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(link.getAttribute("href"))).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        assertTrue(archive.length > 100 && archive[0] == 'P' && archive[1] == 'K', "a zip archive: " + archive.length + " bytes");

        open("/console/apps");
        WebElement apps = waitFor("connected-table");
        assertTrue(apps.getText().contains("Step counter"), apps.getText());
        screenshot("connected-apps");
        WebElement revoke = apps.findElements(By.cssSelector("tbody tr")).stream().filter(r -> r.getText().contains("Step counter"))
                .findFirst().orElseThrow().findElement(By.cssSelector("button.danger"));
        revoke.click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(d -> !d.findElement(By.id("connected")).getText().contains("Step counter"));
        String after = HttpClient.newHttpClient().send(read, HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(after.startsWith("{\"code\":403"), "the app's token stopped at once: " + after);
        // Keeping her samples out of the Beacon's answers to others is one click on the same page, saved at once.
        WebElement beacon = wait.until(ExpectedConditions.elementToBeClickable(By.id("beacon-opt-out")));
        assertTrue(!beacon.isSelected(), "nobody is opted out unless they chose it");
        beacon.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("beacon-status"), "take no part"));
        assertTrue(new io.omix.server.users.UserStore(platform).beaconOptOut(userId));
        screenshot("connected-apps-beacon");

        signIn("operator");
        open("/console/admin/audit");
        WebElement trail = waitFor("audit-table");
        assertTrue(trail.getText().contains("DELETE /user/grants/{client_id}"), "the revocation is in the trail");
        browser.findElement(By.id("audit-verify")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-verdict"), "Intact"));
        screenshot("admin-audit");
    }

    @Test
    void suspendingABatchTakesItsRowsOutOfTheDatasetView() throws Exception {
        signIn("operator");
        open("/console/admin/datasets");
        WebElement rows = waitFor("rows-table");
        int before = rows.findElements(By.cssSelector("tbody tr")).size();
        assertEquals(3, before, "the demo dataset's one batch holds three rows");
        waitFor("batches-table").findElement(By.cssSelector("input.batch")).click();
        screenshot("datasets");
        browser.findElement(By.id("suspend")).click();
        wait.until(ExpectedConditions.textToBe(By.id("batch-status"), "Done."));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#batches-table tbody"), "suspended"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#rows p.empty")));
        assertEquals("(0)", browser.findElement(By.id("row-count")).getText());

        waitFor("batches-table").findElement(By.cssSelector("input.batch")).click();
        browser.findElement(By.id("restore")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#rows-table tbody tr")));
        assertEquals(3, browser.findElements(By.cssSelector("#rows-table tbody tr")).size());
    }

    @Test
    void aPlainUserIsRefusedOperatorPagesAndTheirData() throws Exception {
        signIn("user");
        open("/console/admin/apps");
        assertTrue(waitFor("forbidden").isDisplayed());
        assertTrue(browser.findElements(By.cssSelector("nav li.op")).isEmpty(), "no operator links for plain users");
        // The page's own session cannot fetch operator data either: the API refuses it.
        Object code = ((org.openqa.selenium.JavascriptExecutor) browser).executeAsyncScript(
                "var done = arguments[arguments.length - 1];"
                        + "fetch('/admin/clients', {headers: {'X-Omix-CSRF': document.querySelector('meta[name=omix-csrf]').content}})"
                        + ".then(r => r.json()).then(j => done(j.code));");
        assertEquals(401L, code);
    }

    @Test
    void operatorImportsAVcfWithProgressAndTheOwnerSeesTheCalls() throws Exception {
        Path vcf = Files.createTempFile("console-import", ".vcf");
        try (var in = io.omix.server.variants.VariantsCapability.class.getResourceAsStream("demo.vcf")) {
            Files.write(vcf, in.readAllBytes());
        }
        String sample = demo.path("samples").path("second_user").asText();
        signIn("operator");
        open("/console/admin/imports");
        waitFor("import-sample").sendKeys(sample);
        browser.findElement(By.id("import-file")).sendKeys(vcf.toAbsolutePath().toString());
        browser.findElement(By.cssSelector("#import-form button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("import-status"), "Done."));
        assertTrue(browser.findElement(By.id("import-status")).getText().contains("\"imported\""), browser.findElement(By.id("import-status")).getText());
        assertEquals("100", browser.findElement(By.id("import-progress")).getAttribute("value"));
        screenshot("admin-imports");
        Files.delete(vcf);

        signIn("second_user");
        open("/console/samples/" + sample);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("rsids"))).sendKeys("rs762551");
        browser.findElement(By.cssSelector("#variants-form button")).click();
        assertTrue(waitFor("variants-table").getText().contains("C/A"));
    }

    @Test
    void pagesFitASmallScreen() throws Exception {
        signIn("user");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        try {
            open("/console/samples?lang=zh");
            waitFor("samples-table");
            Object overflow = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                    "return document.documentElement.scrollWidth > window.innerWidth + 1");
            assertEquals(Boolean.FALSE, overflow, "no sideways scrolling of the page itself");
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve("samples-phone-zh.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));
            open("/console/samples?lang=en");
        }
    }

    @Test
    void operatorPagesListAppsUsersAndTasks() throws Exception {
        signIn("operator");
        open("/console/admin/apps");
        WebElement apps = waitFor("apps-table");
        assertTrue(apps.getText().contains("Omix demo app"));
        browser.findElement(By.id("app-name")).sendKeys("Console-made app");
        browser.findElement(By.id("app-redirects")).sendKeys("https://app.example.org/callback");
        browser.findElement(By.cssSelector("#app-form button")).click();
        WebElement secret = waitFor("new-secret");
        assertTrue(secret.getText().contains("ocs_"), "the new client's secret is shown once");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("apps-table"), "Console-made app"));
        screenshot("admin-apps");
        open("/console/admin/users");
        assertTrue(waitFor("users-table").getText().contains("demo2"));
        open("/console/admin/tasks?lang=zh");
        waitFor("tasks-table");
        assertEquals("任务", browser.findElement(By.tagName("h1")).getText());
        screenshot("admin-tasks-zh");
        open("/console/admin/tasks?lang=en");
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String part : uri.getRawQuery().split("&")) {
            int eq = part.indexOf('=');
            out.put(part.substring(0, eq), java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

}
