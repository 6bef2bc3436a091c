package io.omix.sdk;

import io.omix.server.common.auth.Caller;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model sandbox as an attacker meets it: two applications' models running at the same time
 * cannot reach each other's processes, memory, environment, files, code or token; nothing a model
 * leaves in /tmp or /dev/shm survives it; there is no network but the platform's channel; the
 * invocation token works only through that channel, only while the invocation runs, and only within
 * the scopes the model declared; the server's data directory is out of sight. For python3 and java.
 */
class ModelSandboxTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    /** The block of host uids boxes run as (Sandbox.UID_BASE). */
    static final long UID_BASE = 0x7000_0000L;
    static TestServer server;
    static Path dir;

    /** One model for every probe: params.action picks what it tries. Only the standard library. */
    static final String PROBE = String.join("\n",
            "import ctypes, errno, json, os, socket, time, urllib.error, urllib.request",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "libc.syscall.restype = ctypes.c_long",
            "def err(nr, *args):",
            "    ctypes.set_errno(0)",
            "    r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])",
            "    return 0 if r >= 0 else ctypes.get_errno()",
            "def call(e, method, path, data=None):",
            "    req = urllib.request.Request(e['api_endpoint'] + path, method=method, data=data,",
            "                                 headers={'Authorization': 'Bearer ' + (e['access_token'] or '')})",
            "    if data is not None:",
            "        req.add_header('Content-Type', 'application/x-www-form-urlencoded')",
            "    try:",
            "        with urllib.request.urlopen(req, timeout=10) as a:",
            "            return json.loads(a.read())['code']",
            "    except urllib.error.HTTPError as x:",
            "        return x.code",
            "    except Exception as x:",
            "        return type(x).__name__",
            "def read(path):",
            "    try:",
            "        with open(path, 'rb') as f:",
            "            return f.read().decode('latin1')",
            "    except Exception as x:",
            "        return type(x).__name__",
            "def connect(host, port):",
            "    s = socket.socket()",
            "    s.settimeout(2)",
            "    try:",
            "        return errno.errorcode.get(s.connect_ex((host, port)), 'connected')",
            "    except Exception as x:",
            "        return type(x).__name__",
            "    finally:",
            "        s.close()",
            "def handler(event, context):",
            "    e = json.loads(event)",
            "    p = e['params']",
            "    a = p.get('action')",
            "    out = {}",
            "    if a == 'hold':",
            "        os.environ['HELD'] = e['access_token']",
            "        secret = 'SECRET-' + p['marker']",
            "        kept = [secret * 1000]",
            "        for path in ('/tmp/held', '/dev/shm/held'):",
            "            with open(path, 'w') as f:",
            "                f.write(secret)",
            "        time.sleep(float(p['seconds']))",
            "        out['token'] = e['access_token']",
            "    if a == 'many':",
            "        import http.client",
            "        conns = []",
            "        for i in range(int(p['n'])):",
            "            c = http.client.HTTPConnection('127.0.0.1', 8080, timeout=10)",
            "            c.request('GET', '/profile', headers={'Authorization': 'Bearer ' + e['access_token']})",
            "            conns.append(c)",
            "        codes = []",
            "        for c in conns:",
            "            try:",
            "                codes.append(json.loads(c.getresponse().read())['code'])",
            "            except Exception as x:",
            "                codes.append(type(x).__name__)",
            "        out['codes'] = codes",
            "    if a == 'probe':",
            "        time.sleep(float(p.get('seconds', '0')))",
            "        out['root'] = sorted(os.listdir('/'))",
            "        out['tmp'] = sorted(os.listdir('/tmp')) + sorted(os.listdir('/dev/shm'))",
            "        refused = []",
            "        for family in (40, 38):",
            "            try:",
            "                socket.socket(family, socket.SOCK_STREAM if family == 40 else socket.SOCK_SEQPACKET).close()",
            "                refused.append(0)",
            "            except OSError as x:",
            "                refused.append(x.errno)",
            "        out['families'] = refused",
            "        out['root_writable'] = False",
            "        for path in ('/outside-tmp', '/dev/outside'):",
            "            try:",
            "                with open(path, 'w') as f:",
            "                    f.write('x')",
            "                out['root_writable'] = True",
            "            except OSError:",
            "                pass",
            "        pids = [d for d in os.listdir('/proc') if d.isdigit()]",
            "        out['pids'] = len(pids)",
            "        try:",
            "            os.openpty()",
            "            out['pty'] = 'opened'",
            "        except OSError:",
            "            out['pty'] = 'refused'",
            "        out['seen'] = [read('/proc/%s/environ' % d) + read('/proc/%s/cmdline' % d) for d in pids]",
            "        out['other_code'] = read(p['other_code'])",
            "        out['master_key'] = read(p['master_key'])",
            "        out['data_dir'] = read(p['data_dir'])",
            "        host = int(p['host_pid'])",
            "        iov = (ctypes.c_char * 64)()",
            "        local = (ctypes.c_void_p * 2)(ctypes.addressof(iov), 64)",
            "        out['kill_other'] = 0 if libc.kill(host, 0) == 0 else ctypes.get_errno()",
            "        out['vm_read_other'] = err(310, host, ctypes.addressof(local), 1, ctypes.addressof(local), 1, 0)",
            "        out['vm_read_self'] = err(310, os.getpid(), ctypes.addressof(local), 1, ctypes.addressof(local), 1, 0)",
            "        out['ptrace_other'] = err(101, 16, host, 0, 0)",
            "        out['ptrace_me'] = err(101, 0, 0, 0, 0)",
            "        out['mount'] = err(165, 0, 0, 0, 0, 0)",
            "        out['keyctl'] = err(250, 0, 0, 0, 0, 0)",
            "        out['bpf'] = err(321, 0, 0, 0)",
            "        out['unshare_user'] = err(272, 0x10000000)",
            "        out['unshare_net'] = err(272, 0x40000000)",
            "        out['dumpable'] = libc.prctl(3, 0, 0, 0, 0)",
            "        out['make_dumpable'] = err(157, 4, 1, 0, 0, 0)",
            "        out['proc_owner'] = os.stat('/proc/self/environ').st_uid",
            "        out['server_port'] = connect('127.0.0.1', int(p['server_port']))",
            "        out['elsewhere'] = connect('192.0.2.1', 80)",
            "        out['interfaces'] = [n for _, n in socket.if_nameindex()]",
            "        out['channel'] = call(e, 'GET', '/samples')",
            "    if a == 'tmp':",
            "        out['before'] = sorted(os.listdir('/tmp')) + sorted(os.listdir('/dev/shm'))",
            "        for path in ('/tmp/left', '/dev/shm/left'):",
            "            with open(path, 'w') as f:",
            "                f.write('left behind')",
            "    if a == 'fork':",
            "        kids = []",
            "        for i in range(int(p['n'])):",
            "            pid = os.fork()",
            "            if pid == 0:",
            "                x = bytearray(int(p['mb']) * 1024 * 1024)",
            "                for j in range(0, len(x), 4096):",
            "                    x[j] = 1",
            "                time.sleep(2)",
            "                os._exit(0)",
            "            kids.append(pid)",
            "        out['codes'] = [os.waitpid(k, 0)[1] for k in kids]",
            "    if a == 'spin':",
            "        began = time.time()",
            "        kids = []",
            "        for i in range(int(p['n'])):",
            "            pid = os.fork()",
            "            if pid == 0:",
            "                while time.time() - began < float(p['seconds']):",
            "                    pass",
            "                os._exit(0)",
            "            kids.append(pid)",
            "        for k in kids:",
            "            os.waitpid(k, 0)",
            "        t = os.times()",
            "        out['cpu'] = t.children_user + t.children_system",
            "        out['wall'] = time.time() - began",
            "    if a == 'later':",
            "        time.sleep(float(p['seconds']))",
            "        out['profile'] = call(e, 'GET', '/profile')",
            "        out['echo'] = p.get('echo')",
            "    if a == 'api':",
            "        out['profile'] = call(e, 'GET', '/profile')",
            "        out['samples'] = call(e, 'GET', '/samples')",
            "        out['variants'] = call(e, 'GET', '/variants?biosample_id=E-B00000000001&rsids=rs762551')",
            "        out['register'] = call(e, 'POST', '/samples/register', b'project_id=P-M19585209935&biosample_site=10&external_sample_id=box-1')",
            "        out['admin'] = call(e, 'GET', '/admin/users')",
            "        out['invoke'] = call(e, 'GET', '/model/' + p['self'])",
            "        out['metrics'] = call(e, 'GET', '/metrics')",
            "        out['token'] = e['access_token']",
            "    return {'model_code': 0, 'model_msg': 'success', 'model_data': out}",
            "");

    @BeforeAll
    static void start(@TempDir Path tmp) throws IOException {
        dir = tmp;
        // No boxes started ahead: every process seen below belongs to the invocation that started it.
        server = TestServer.builder().setting("models.pool-size", "0").start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * The box's memory limit holds for all its processes together: a model that forks children, each within the
     * per-process limit, does not get the limit once per child (the host's control groups; where the server cannot
     * make them it says so at start, and this cannot hold).
     */
    @Test
    void aBoxsMemoryLimitHoldsForAllItsProcessesTogether() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.omix.server.models.BoxGroups.availableHere(), "no writable control groups on this host");
        try (Api owner = appWithProbe(server, "forksMemory", ModelConfig.builder().memorySize(128).timeout(30).build())) {
            owner.publishModel("forksMemory", "v1");
            Model alone = owner.invokeModel("forksMemory", Map.of("action", "fork", "n", "1", "mb", "60")).getModel("model_data");
            assertEquals(List.of(0), alone.getList("codes").json(), "one child within the limit: it finishes");
            Model many = owner.invokeModel("forksMemory", Map.of("action", "fork", "n", "6", "mb", "60")).getModel("model_data");
            assertTrue(many.getList("codes").json().stream().anyMatch(code -> ((Number) code).intValue() == 9),
                    "six children of 60 MiB in a box of 128 MiB: the kernel kills some (SIGKILL) " + many.dumps());
        }
    }

    /**
     * A box's processes holding a thousand connections to the platform's channel do not hold a thousand of the server's
     * descriptors: the channel holds 256 at most, every box together (the rest wait in the socket's queue, or give up).
     */
    @Test
    void theChannelHoldsABoundedNumberOfConnectionsHoweverManyABoxOpens() throws Exception {
        String code = holdingConnections(3);
        Identity.Client c = Identity.confidentialClient(server);
        try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(server.url()).build(); Api owner = o.getCredentialsToken().api()) {
            owner.deployModel("holdsConnections", zip("holdsConnections", "index.py", code), ModelConfig.builder().timeout(30).build(), WAIT);
            long before = openDescriptors();
            CompletableFuture<Model> run = CompletableFuture.supplyAsync(() -> owner.invokeDraftModel("holdsConnections", Map.of()));
            long most = before;
            while (!run.isDone()) {
                most = Math.max(most, openDescriptors());
                Thread.sleep(50);
            }
            run.get();
            assertTrue(most - before < 256 + 100, "the server held " + (most - before) + " more descriptors while the box held its connections");
        }
    }

    /**
     * One box holding all the connections the channel takes made every other box's calls wait in the socket's queue until
     * it let go: a box holds 32 at most (those beyond are closed as
     * they open), and another box's calls are answered while it tries for more.
     */
    @Test
    void oneBoxHoldingConnectionsDoesNotMakeAnotherBoxsCallsWait() throws Exception {
        String code = holdingConnections(14);
        try (Api owner = appWithProbe(server, "callsWhileAnotherHolds", ModelConfig.builder().timeout(30).build())) {
            owner.deployModel("hogsChannel", zip("hogsChannel", "index.py", code), ModelConfig.builder().timeout(30).build(), WAIT);
            CompletableFuture<Model> hog = CompletableFuture.supplyAsync(() -> owner.invokeDraftModel("hogsChannel", Map.of()));
            Thread.sleep(3000);   // its processes have opened what they could
            assertFalse(hog.isDone(), "still holding its connections");
            // Four calls at once from another box, each given 10 s: before, they waited for the first box's 14 s.
            Model calls = owner.invokeDraftModel("callsWhileAnotherHolds", Map.of("action", "many", "n", "4")).getModel("model_data");
            assertFalse(hog.isDone(), "answered while the first box still held its connections");
            for (Object answer : calls.getList("codes")) assertTrue(answer instanceof Number, "every call answered, none timed out: " + calls.dumps());
            hog.get();
        }
    }

    /** A model whose twenty processes each try to open and hold 55 connections to the channel for {@code seconds}. */
    static String holdingConnections(int seconds) {
        return String.join("\n",
                "import os, socket, time",
                "def handler(event, context):",
                "    kids = []",
                "    for i in range(20):",
                "        pid = os.fork()",
                "        if pid == 0:",
                "            held = []",
                "            for j in range(55):",
                "                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
                "                s.settimeout(0.2)",
                "                try:",
                "                    s.connect('/run/omix/api.sock')",
                "                    held.append(s)",
                "                except OSError:",
                "                    s.close()",
                "            time.sleep(" + seconds + ")",
                "            os._exit(0)",
                "        kids.append(pid)",
                "    for k in kids:",
                "        os.waitpid(k, 0)",
                "    return {'model_code': 0, 'model_msg': 'success', 'model_data': {}}",
                "");
    }

    /** This JVM's open descriptors (the test's server runs in it). */
    private static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /**
     * A box has one core's worth of CPU whatever it starts: a model that forks busy children does not take every core
     * of the server it shares with the API and other models' boxes (the host's control groups; where the server cannot
     * use a cpu controller it says so at start, and this cannot hold).
     */
    @Test
    void aBoxHasOneCoresWorthOfCpuHoweverManyProcessesItStarts() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.omix.server.models.BoxGroups.cpuBoundedHere(), "no cpu controller for boxes on this host");
        try (Api owner = appWithProbe(server, "spins", ModelConfig.builder().memorySize(128).timeout(30).build())) {
            owner.publishModel("spins", "v1");
            Model spun = owner.invokeModel("spins", Map.of("action", "spin", "n", "3", "seconds", "2")).getModel("model_data");
            double cpu = ((Number) spun.get("cpu")).doubleValue();
            double wall = ((Number) spun.get("wall")).doubleValue();
            // Three children busy for two seconds would use up to six seconds of CPU on three cores; one core gives two.
            assertTrue(cpu <= wall * 1.25, "CPU " + cpu + " s in " + wall + " s of wall clock: " + spun.dumps());
        }
    }

    /**
     * An answer kept for an Idempotency-Key that names a sample erased while the request ran is not kept (a repeat
     * would otherwise give it back for a day after the erasure); the key is freed.
     */
    @Test
    void anAnswerNamingASampleErasedWhileItRanIsNotKept() throws Exception {
        try (Api owner = appWithProbe(server, "slowEcho", ModelConfig.builder().timeout(30).build())) {
            owner.publishModel("slowEcho", "v1");
            String project = new io.omix.server.samples.SampleStore(Identity.platform(server)).createProject("kept", 1, null, null, null).projectId();
            Identity.Client client = Identity.confidentialClient(server);
            String sample;
            try (Api person = Api.builder(Identity.userToken(server, client, Identity.user(server, "kept-answer", "kept-answer@example.org").userId(),
                    "samples").accessToken()).endpoint(server.url()).build()) {
                sample = person.registerSample("KEPT-1", 11, project).getString("biosample_id");
            }
            java.util.concurrent.CompletableFuture<String> answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url()
                                    + "/model/slowEcho?action=later&seconds=3&echo=" + sample)).header("Authorization", "Bearer " + owner.accessToken())
                            .header("Idempotency-Key", "erased-meanwhile").GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1500);
            new io.omix.server.privacy.Erasure(Identity.platform(server)).eraseSample(sample);
            assertTrue(answer.get(60, java.util.concurrent.TimeUnit.SECONDS).contains(sample), "the answer names the sample");
            assertEquals(0L, Identity.platform(server).database().jdbc().queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'erased-meanwhile'",
                    rs -> rs.getLong(1)).orElseThrow(), "not kept: the sample it names was erased while it ran");
        }
    }

    /**
     * A model invoked from the console acts for the signed-in person only while they stay signed in and enabled, as a
     * model invoked with a token acts only while the token stands: checked on each of its calls, not once at the start.
     */
    @Test
    void aModelInvokedFromTheConsoleStopsActingForAPersonDisabledMeanwhile() throws Exception {
        try (Api owner = appWithProbe(server, "consoleInvoked", ModelConfig.builder().timeout(30).build())) {
            owner.publishModel("consoleInvoked", "v1");
            Identity.Person person = Identity.user(server, "console-invoker", "console-invoker@example.org");
            io.omix.server.testing.LoginPage page = new io.omix.server.testing.LoginPage();
            java.util.Map<String, String> form = io.omix.server.testing.LoginPage.hiddenFields(page.get(server.url() + "/console/login").body());
            form.put("username", person.username());
            form.put("password", person.password());
            assertEquals(303, page.post(server.url() + "/console/login", form).statusCode());
            java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("<meta name=\"omix-csrf\" content=\"([^\"]+)\">")
                    .matcher(page.get(server.url() + "/console/samples").body());
            assertTrue(csrf.find());
            java.util.function.Function<String, Model> invoke = seconds -> {
                try {
                    String body = page.browser.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url()
                                    + "/model/consoleInvoked?action=later&seconds=" + seconds)).header("X-Omix-CSRF", csrf.group(1)).GET().build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    return Model.parse(body);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            assertEquals(0, invoke.apply("0").at("data.model_data.profile"), "signed in: the model reads the person's profile");
            java.util.concurrent.CompletableFuture<Model> later = java.util.concurrent.CompletableFuture.supplyAsync(() -> invoke.apply("4"));
            Thread.sleep(1500);
            new io.omix.server.users.UserStore(Identity.platform(server)).setDisabled(person.username(), true);
            Model answer = later.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(io.omix.server.common.http.ErrorCode.TOKEN_INVALID.code(), answer.at("data.model_data.profile"),
                    "the person was disabled while the model ran: its next call is refused " + answer.dumps());
        }
    }

    static Path zip(String name, String... entries) throws IOException {
        return InterpretationModelsTest.zipIn(dir, name, entries);
    }

    /** An application (client credentials, every scope) with the probe model deployed as {@code modelId}. */
    static Api appWithProbe(TestServer s, String modelId, ModelConfig config) throws IOException {
        Identity.Client c = Identity.confidentialClient(s);
        Api api;
        try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build()) {
            api = o.getCredentialsToken().api();
        }
        api.deployModel(modelId, zip(modelId, "index.py", PROBE), config, WAIT);
        return api;
    }

    /** Host processes of running boxes: pid to host uid, for runners whose command line holds {@code marker}. */
    static Map<Long, Long> boxes(String marker) throws IOException {
        Map<Long, Long> found = new java.util.HashMap<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (!cmd.contains(marker)) continue;
                    for (String line : Files.readAllLines(p.resolve("status"))) {
                        if (line.startsWith("Uid:")) {
                            long uid = Long.parseLong(line.split("\\s+")[1]);
                            if (uid >= UID_BASE) found.put(Long.parseLong(p.getFileName().toString()), uid);
                        }
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }

    /** True once no box process is left (a box is killed just after its answer, off the request's path). */
    static boolean noBoxLeft(String marker) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (boxes(marker).isEmpty()) return true;
            Thread.sleep(50);
        }
        return false;
    }

    @Test
    void twoApplicationsModelsCannotReachEachOther() throws Exception {
        try (Api holderApp = appWithProbe(server, "holderModel", ModelConfig.builder().timeout(30).build());
             Api proberApp = appWithProbe(server, "proberModel", ModelConfig.builder().timeout(30).build())) {
            String marker = "m" + System.nanoTime();
            CompletableFuture<Model> held = CompletableFuture.supplyAsync(() ->
                    holderApp.invokeDraftModel("holderModel", Map.of("action", "hold", "marker", marker, "seconds", "4")));
            Map<Long, Long> holder = Map.of();
            for (int i = 0; i < 100 && holder.isEmpty(); i++) {
                Thread.sleep(50);
                holder = boxes("runner.py");
            }
            assertFalse(holder.isEmpty(), "the holder's box runs");
            long holderPid = holder.keySet().iterator().next();
            Path dataDir = server.dataDir();
            Path otherCode = InterpretationModelsTest.unpacked(server.server().platform().config().modelsRoot().resolve("holderModel"), 1).resolve("index.py");
            assertTrue(Files.isRegularFile(otherCode), "the other model's code, which the probe must not read: " + otherCode);
            CompletableFuture<Model> probed = CompletableFuture.supplyAsync(() -> proberApp.invokeDraftModel("proberModel", Map.of(
                    "action", "probe", "seconds", "1", "host_pid", String.valueOf(holderPid), "other_code", otherCode.toString(),
                    "master_key", dataDir.resolve("master.key").toString(), "data_dir", dataDir.toString(),
                    "server_port", String.valueOf(Long.parseLong(server.url().replaceAll(".*:(\\d+).*", "$1"))))));
            Set<Long> uids = new HashSet<>();
            for (int i = 0; i < 40 && uids.size() < 2; i++) {
                Thread.sleep(25);
                uids.addAll(boxes("runner.py").values());
            }
            assertEquals(2, uids.size(), "the two boxes run as two host users: " + uids);
            Model probe = probed.get().getModel("model_data");
            Model hold = held.get().getModel("model_data");
            String token = hold.getString("token");
            assertTrue(token.startsWith("oit_"), "the model got an invocation token, not its caller's");
            String everything = probe.toString();
            assertFalse(everything.contains(token), "the other model's token is out of reach");
            assertFalse(everything.contains(marker), "the other model's memory, environment and files are out of reach");
            assertEquals(List.of("bin", "code", "dev", "lib", "lib64", "proc", "run", "runner", "tmp", "usr"), probe.getList("root").json(),
                    "nothing of the host's file system but the runtime, the code and the channel");
            assertEquals(List.of(), probe.getList("tmp").json(), "a private, empty /tmp and /dev/shm");
            assertEquals(false, probe.getBoolean("root_writable"), "only /tmp and /dev/shm, each with its size, take writes (not / nor /dev)");
            assertEquals(List.of(97L, 97L), probe.getList("families").json().stream().map(n -> ((Number) n).longValue()).toList(),
                    "vsock (which ignores network namespaces) and the kernel's crypto sockets are refused: EAFNOSUPPORT");
            assertTrue(probe.getInt("pids") <= 3, "only its own processes are visible: " + probe.getInt("pids"));
            assertEquals("refused", probe.getString("pty"), "no terminal: each would take one of the host's");
            for (String unreadable : List.of("other_code", "master_key", "data_dir")) {
                assertEquals("FileNotFoundError", probe.getString(unreadable), unreadable);
            }
            assertEquals(3, probe.getInt("kill_other"), "ESRCH: the other box's processes do not exist here");
            for (String denied : List.of("vm_read_other", "vm_read_self", "ptrace_other", "ptrace_me", "mount", "keyctl", "bpf",
                    "unshare_user", "unshare_net", "make_dumpable")) {
                assertEquals(1, probe.getInt(denied), denied + " is refused with EPERM by the seccomp filter");
            }
            assertEquals(0, probe.getInt("dumpable"), "the runner is not dumpable");
            assertNotEquals(1000, probe.getInt("proc_owner"), "its /proc files belong to root, as for any non-dumpable process");
            assertEquals("ECONNREFUSED", probe.getString("server_port"), "the server's port is not reachable from the box");
            assertEquals("ENETUNREACH", probe.getString("elsewhere"), "no route anywhere");
            assertEquals(List.of("lo"), probe.getList("interfaces").json());
            assertEquals(0, probe.getInt("channel"), "the platform's API through the channel works");
        }
        assertTrue(noBoxLeft("runner.py"), "no box outlives its invocation");
    }

    @Test
    void nothingWrittenToTmpOrShmIsThereForTheNextInvocation() throws Exception {
        try (TestServer pooled = TestServer.builder().setting("models.pool-size", "2").start();
             Api app = appWithProbe(pooled, "tmpModel", ModelConfig.defaults())) {
            app.publishModel("tmpModel", "v1");
            for (int i = 0; i < 3; i++) {
                Model seen = app.invokeModel("tmpModel", Map.of("action", "tmp")).getModel("model_data");
                assertEquals(List.of(), seen.getList("before").json(), "invocation " + i + " starts with empty /tmp and /dev/shm");
            }
        }
    }

    /** grants, admin and models are never a model's to declare; an application's webhooks are never reached from a box. */
    @Test
    void aModelNeverDeclaresGrantsAndNeverRegistersWebhooks() throws Exception {
        try (TestServer s = TestServer.builder().setting("models.pool-size", "0").start()) {
            Identity.Client app = Identity.confidentialClient(s);
            try (OAuth2 oauth2 = OAuth2.builder(app.id(), app.secret()).endpoint(s.url()).build(); Api owner = oauth2.getCredentialsToken().api()) {
                for (String scope : List.of("grants:write", "grants", "admin", "models")) {
                    ApiException refused = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class, () -> owner.deployModel("greedy",
                            zip("greedy", "index.py", PROBE), ModelConfig.builder().scopes(scope).build(), WAIT));
                    assertEquals(41001, refused.code(), scope);
                    assertTrue(refused.dataModel().toString().contains("scopes"), refused.dataModel().toString());
                }
                AccessToken own = oauth2.getCredentialsToken();
                Caller application = Caller.clientToken(app.id(), Set.copyOf(own.scopes()));
                String minted = Identity.platform(s).authenticators().invocations().mint(application, own.accessToken(), own.accessToken(),
                        Set.of("samples:write", "streams:write"), Duration.ofSeconds(30));
                Path channel = Identity.platform(s).config().modelsRoot().resolve(".channel/api.sock");
                assertEquals(401, channelCode(channel, minted, "POST", "/webhooks", "url=https%3A%2F%2Fattacker.example%2Fhook&events=sample.data_imported"),
                        "no endpoint registered from inside a model");
                assertEquals(401, channelCode(channel, minted, "GET", "/webhooks", null));
                assertEquals(0, channelCode(channel, minted, "GET", "/samples", null), "its declared reads still work");
                // Nothing but token routes: not the token endpoints (a model revoking or introspecting its author's tokens
                // would signal out what it read), not the sign-in pages, not signed downloads, not even /ping.
                for (String[] tokenRoute : new String[][] {{"/oauth2/revoke", "token=x&client_id=" + app.id() + "&client_secret=" + app.secret()},
                        {"/oauth2/introspect", "token=x&client_id=" + app.id() + "&client_secret=" + app.secret()},
                        {"/oauth2/access_token", "grant_type=client_credentials&client_id=" + app.id() + "&client_secret=" + app.secret()},
                        {"/oauth2/token", "grant_type=client_credentials&client_id=" + app.id() + "&client_secret=" + app.secret()}}) {
                    assertEquals(403, channelCode(channel, minted, "POST", tokenRoute[0], tokenRoute[1]), tokenRoute[0] + ": the token refused there");
                }
                for (String plain : List.of("/ping", "/console/login", "/oauth2/authorize", "/oss/objects/x/y.txt", "/metrics", "/openapi.json")) {
                    assertEquals(404, channelCode(channel, minted, "GET", plain, null), plain);
                }
                // No signed links from inside a box: it cannot fetch them, so a link could only carry its invoker's data out.
                String object = owner.upload("linked.txt", "the invoker's file");
                String reader = Identity.platform(s).authenticators().invocations().mint(application, own.accessToken(), own.accessToken(),
                        Set.of("files"), Duration.ofSeconds(30));
                assertEquals(401, channelCode(channel, reader, "POST", "/oss/sign_url", "object_name=" + java.net.URLEncoder.encode(object,
                        StandardCharsets.UTF_8)), "sign_url");
                String drsId = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(object.getBytes(StandardCharsets.UTF_8));
                int drs = channelCode(channel, reader, "GET", "/ga4gh/drs/v1/objects/" + drsId + "/access/https", null);
                assertTrue(drs == 401 || drs == 403, "a DRS access URL: " + drs);
                // Nor upload credentials: the box cannot use them (the channel takes invocation tokens only), and carried out
                // they wrote into the invoker's files for an hour after the invocation's token had died.
                String writer = Identity.platform(s).authenticators().invocations().mint(application, own.accessToken(), own.accessToken(),
                        Set.of("files:write"), Duration.ofSeconds(30));
                java.util.function.IntSupplier credentials = () -> Identity.platform(s).database().jdbc()
                        .queryOne("SELECT COUNT(*) FROM upload_credentials", rs -> rs.getInt(1)).orElseThrow();
                int before = credentials.getAsInt();
                assertEquals(401, channelCode(channel, writer, "POST", "/sts/token", ""), "upload credentials");
                assertEquals(before, credentials.getAsInt(), "none made");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void theInvocationTokenActsForTheCallerWithinTheDeclaredScopesAndOnlyWhileItRuns(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("models.pool-size", "0").start()) {
            Identity.Client app = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "sandboxuser", "sandbox@example.org");
            TokenStore tokens = new TokenStore(Identity.platform(s));
            TokenStore.Issued userToken = Identity.userToken(s, app, person.userId(), "profile samples variants models");
            try (Api owner = OAuth2.builder(app.id(), app.secret()).endpoint(s.url()).build().getCredentialsToken().api();
                 Api user = Api.builder(userToken.accessToken()).endpoint(s.url()).build()) {
                owner.deployModel("readsProfile", zip("readsProfile", "index.py", PROBE), ModelConfig.builder().scopes("profile", "samples").build(), WAIT);
                owner.publishModel("readsProfile", "v1");
                owner.deployModel("writesSamples", zip("writesSamples", "index.py", PROBE), ModelConfig.builder().scopes("samples:write").build(), WAIT);
                owner.publishModel("writesSamples", "v1");
                owner.deployModel("undeclared", zip("undeclared", "index.py", PROBE), ModelConfig.defaults(), WAIT);
                owner.publishModel("undeclared", "v1");

                Model reads = user.invokeModel("readsProfile", Map.of("action", "api", "self", "readsProfile")).getModel("model_data");
                assertEquals(0, reads.getInt("profile"), "a declared scope the caller holds: read");
                assertEquals(0, reads.getInt("samples"));
                assertEquals(401, reads.getInt("variants"), "the caller holds variants, the model did not declare it");
                assertEquals(401, reads.getInt("register"), "samples declared for reading only");
                assertEquals(403, reads.getInt("admin"), "operator endpoints are closed to models");
                assertEquals(401, reads.getInt("invoke"), "models do not invoke models");
                assertEquals(404, reads.getInt("metrics"), "the operators' metrics are not served to boxes");

                Model writes = user.invokeModel("writesSamples", Map.of("action", "api", "self", "writesSamples")).getModel("model_data");
                assertNotEquals(401, writes.getInt("register"), "samples:write lets the write through to its own checks");
                assertEquals(401, writes.getInt("profile"), "profile was not declared");

                Model plain = user.invokeModel("undeclared", Map.of("action", "api", "self", "undeclared")).getModel("model_data");
                assertEquals(0, plain.getInt("profile"), "no declaration: reads within the caller's scopes");
                assertEquals(41303, plain.getInt("variants"), "past the scope check: the sample is not the caller's");
                assertEquals(401, plain.getInt("register"), "no declaration: no writes");

                // Calls in flight at once each hold two forwarding threads in the box: all must fit within its memory.
                Model many = user.invokeModel("undeclared", Map.of("action", "many", "n", "12")).getModel("model_data");
                assertEquals(java.util.Collections.nCopies(12, 0), many.getList("codes"), "twelve calls open at once, every one answered");

                Path channel = Identity.platform(s).config().modelsRoot().resolve(".channel/api.sock");
                String used = reads.getString("token");
                assertEquals(403, channelCode(channel, used, "/profile"), "refused once its invocation returned");
                assertEquals(403, channelCode(channel, userToken.accessToken(), "/profile"), "nothing but invocation tokens count in the channel");

                Caller caller = Caller.userToken(app.id(), person.userId(), Set.of("profile", "samples", "variants"));
                String live = Identity.platform(s).authenticators().invocations().mint(caller, userToken.accessToken(), userToken.accessToken(), Set.of("profile"),
                        Duration.ofSeconds(30));
                assertEquals(0, channelCode(channel, live, "/profile"), "a live invocation token works through the channel");
                ApiException outside = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                        () -> Api.builder(live).endpoint(s.url()).build().getUser());
                assertEquals(403, outside.code(), "and nowhere else");
                // A version deployed declaring grants before that was refused: its token still never has them.
                Caller holdsGrants = Caller.userToken(app.id(), person.userId(), Set.of("profile", "grants"));
                String grants = Identity.platform(s).authenticators().invocations().mint(holdsGrants, userToken.accessToken(), userToken.accessToken(),
                        Set.of("grants:write", "grants"), Duration.ofSeconds(30));
                assertEquals(401, channelCode(channel, grants, "DELETE", "/user", null), "a model never erases its caller's account");
                assertEquals(401, channelCode(channel, grants, "GET", "/user/grants", null), "nor reads their grants");
                tokens.revokeFamily(tokens.find(userToken.accessToken()).orElseThrow().familyId());
                assertEquals(403, channelCode(channel, live, "/profile"), "it dies with the grant behind it");
            }
        }
    }

    /** Class {@code demo.<className>} compiled from {@code source} for Java 17 and zipped as a model package. */
    Path javaModelZip(String name, String className, String source) throws IOException {
        Path src = Files.createDirectories(dir.resolve(name + "/demo"));
        Files.writeString(src.resolve(className + ".java"), source);
        Path classes = Files.createDirectories(dir.resolve(name + "-classes"));
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d", classes.toString(),
                src.resolve(className + ".java").toString()));
        Path zip = dir.resolve(name + ".zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("demo/" + className + ".class"));
            z.write(Files.readAllBytes(classes.resolve("demo/" + className + ".class")));
            z.closeEntry();
        }
        return zip;
    }

    /** A Java model's memory outside its heap is bounded too: two GiB through Unsafe is refused as memory exceeded (41213). */
    @Test
    void aJavaModelsNativeMemoryIsBounded() throws Exception {
        Path zip = javaModelZip("java-native", "Native", String.join("\n",
                "package demo;",
                "import java.util.Map;",
                "public final class Native {",
                "  public static Object handler(String event, Map<String, Object> context) throws Exception {",
                "    var f = Class.forName(\"sun.misc.Unsafe\").getDeclaredField(\"theUnsafe\");",
                "    f.setAccessible(true);",
                "    sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);",
                "    long total = 0;",
                "    for (int i = 0; i < 8; i++) { u.allocateMemory(256L << 20); total += 256; }",
                "    return \"{\\\"model_code\\\":0,\\\"model_msg\\\":\\\"success\\\",\\\"model_data\\\":{\\\"allocated_mb\\\":\" + total + \"}}\";",
                "  }",
                "}", ""));
        Identity.Client c = Identity.confidentialClient(server);
        try (Api api = OAuth2.builder(c.id(), c.secret()).endpoint(server.url()).build().getCredentialsToken().api()) {
            api.deployModel("javaNative", zip, ModelConfig.builder().runtime("java").handler("demo.Native.handler").memorySize(128).timeout(60).build(), WAIT);
            ApiException refused = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class, () -> api.invokeDraftModel("javaNative", Map.of()));
            assertEquals(41213, refused.code(), refused.toString());
        }
    }

    @Test
    void javaModelsGetTheSameBox() throws Exception {
        Path zip = javaModelZip("java-probe", "Probe", String.join("\n",
                "package demo;",
                "import java.nio.file.*;",
                "import java.util.*;",
                "public final class Probe {",
                "  static String read(String p) { try { return Files.readString(Path.of(p)); } catch (Exception e) { return e.getClass().getSimpleName(); } }",
                "  static String connect(int port) {",
                "    try (java.net.Socket s = new java.net.Socket()) { s.connect(new java.net.InetSocketAddress(\"127.0.0.1\", port), 2000); return \"connected\"; }",
                "    catch (Exception e) { return e.getClass().getSimpleName(); } }",
                "  public static Object handler(String event, Map<String, Object> context) throws Exception {",
                "    String token = event.replaceAll(\".*\\\"access_token\\\":\\\"([^\\\"]*)\\\".*\", \"$1\");",
                "    String port = event.replaceAll(\".*\\\"server_port\\\":\\\"([^\\\"]*)\\\".*\", \"$1\");",
                "    String key = event.replaceAll(\".*\\\"master_key\\\":\\\"([^\\\"]*)\\\".*\", \"$1\");",
                "    List<String> root = new ArrayList<>(); try (var l = Files.list(Path.of(\"/\"))) { l.forEach(p -> root.add(p.getFileName().toString())); }",
                "    Collections.sort(root);",
                "    List<String> tmp = new ArrayList<>(); try (var l = Files.list(Path.of(\"/tmp\"))) { l.forEach(p -> tmp.add(p.getFileName().toString())); }",
                "    Files.writeString(Path.of(\"/tmp/left\"), \"x\");",
                "    long pids; try (var l = Files.list(Path.of(\"/proc\"))) { pids = l.filter(p -> p.getFileName().toString().matches(\"\\\\d+\")).count(); }",
                "    var c = (java.net.HttpURLConnection) new java.net.URL(\"http://127.0.0.1:8080/samples\").openConnection();",
                "    c.setRequestProperty(\"Authorization\", \"Bearer \" + token);",
                "    String api = new String(c.getInputStream().readAllBytes());",
                "    Object owner = Files.getAttribute(Path.of(\"/proc/self/environ\"), \"unix:uid\");",
                "    return \"{\\\"model_code\\\":0,\\\"model_msg\\\":\\\"success\\\",\\\"model_data\\\":{\\\"root\\\":\\\"\" + root + \"\\\",\\\"tmp\\\":\\\"\" + tmp",
                "      + \"\\\",\\\"pids\\\":\" + pids + \",\\\"server\\\":\\\"\" + connect(Integer.parseInt(port)) + \"\\\",\\\"key\\\":\\\"\" + read(key)",
                "      + \"\\\",\\\"api\\\":\\\"\" + api.contains(\"\\\"code\\\":0\") + \"\\\",\\\"proc_owner\\\":\" + owner + \"}}\";",
                "  }",
                "}", ""));
        Identity.Client c = Identity.confidentialClient(server);
        try (Api api = OAuth2.builder(c.id(), c.secret()).endpoint(server.url()).build().getCredentialsToken().api()) {
            api.deployModel("javaProbe", zip, ModelConfig.builder().runtime("java").handler("demo.Probe.handler").memorySize(256).timeout(60).build(), WAIT);
            Map<String, Object> params = Map.of("server_port", server.url().replaceAll(".*:(\\d+).*", "$1"),
                    "master_key", server.dataDir().resolve("master.key").toString());
            for (int i = 0; i < 2; i++) {
                Model seen = api.invokeDraftModel("javaProbe", params).getModel("model_data");
                String rootSeen = seen.getString("root");
                for (String hostDir : List.of("etc", "root", "home", "var", "opt", "srv", "work")) {
                    assertFalse(rootSeen.contains(hostDir), hostDir + " is not in the box: " + rootSeen);
                }
                assertEquals("[]", seen.getString("tmp"), "a fresh /tmp for every invocation");
                assertTrue(seen.getInt("pids") <= 3, "only its own processes");
                assertEquals("ConnectException", seen.getString("server"), "no way to the server's port");
                assertEquals("NoSuchFileException", seen.getString("key"), "the master key is not there");
                assertEquals("true", seen.getString("api"), "the API through the channel works");
                if (Runtime.version().feature() >= 22) assertNotEquals(1000, seen.getInt("proc_owner"), "not dumpable");
            }
        }
        assertTrue(noBoxLeft("JavaModelRunner"), "no JVM outlives its invocation");
    }

    @Test
    void aServerThatCannotBuildTheBoxRefusesInsteadOfRunningWithoutIt() throws Exception {
        try (TestServer s = TestServer.builder().setting("models.python", "/nonexistent/python3").start();
             Api app = appWithProbe(s, "noBox", ModelConfig.defaults())) {
            ApiException refused = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                    () -> app.invokeDraftModel("noBox", Map.of("action", "tmp")));
            assertEquals(41217, refused.code());
            assertNotNull(refused.msg());
            assertFalse(refused.getMessage().contains("/nonexistent"), "the reason is in the log, not the answer");
        }
    }

    /** The envelope's code (or the HTTP status when there is none) of a GET through the channel's socket. */
    static int channelCode(Path socket, String token, String path) throws IOException {
        return channelCode(socket, token, "GET", path, null);
    }

    /** A request through a box's channel, with a form body when {@code form} is given. */
    static int channelCode(Path socket, String token, String method, String path, String form) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            String body = form == null ? "" : form;
            String request = method + " " + path + " HTTP/1.1\r\nHost: box\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n"
                    + (form == null ? "" : "Content-Type: application/x-www-form-urlencoded\r\n")
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            List<Byte> all = new ArrayList<>();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (ch.read(buffer) > 0) {
                buffer.flip();
                while (buffer.hasRemaining()) all.add(buffer.get());
                buffer.clear();
            }
            byte[] bytes = new byte[all.size()];
            for (int i = 0; i < bytes.length; i++) bytes[i] = all.get(i);
            String response = new String(bytes, StandardCharsets.UTF_8);
            java.util.regex.Matcher code = java.util.regex.Pattern.compile("\"code\":(\\d+)").matcher(response);
            if (code.find()) return Integer.parseInt(code.group(1));
            return Integer.parseInt(response.substring(9, 12));
        }
    }
}
