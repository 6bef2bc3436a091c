package io.omix.server.models;

import java.io.File;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one invocation of a {@code java} model in its own JVM inside its sandbox (started by
 * {@link ModelRunner}, never loaded by the server): {@code package.Class.method} from the model's
 * classes and jars under {@code /code}, called as {@code static Object method(String event, Map<String, Object> context)}
 * (or with the event alone). Protocol as the python runner's: the handler's class is loaded first,
 * then one line with the request id and the event arrive on stdin; the answer is one frame on the
 * real stdout (status byte, ten digits of length, the result); whatever the model prints goes to
 * stderr. The platform's API socket is forwarded to {@code 127.0.0.1:8080}.
 * Depends on nothing but the JDK, so it runs on the model's class path alone.
 */
public final class JavaModelRunner {
    private static final String CHANNEL = "/run/omix/api.sock";
    /**
     * The runner's first line on stderr, before any of the model's code runs: what the box's log holds before it is the
     * launcher's (bubblewrap's, prlimit's), what follows is the model's ({@link ModelRunner#ownersView}).
     */
    static final String STARTED = "omix-runner: started";

    private JavaModelRunner() {}

    public static void main(String[] args) throws Exception {
        System.err.println(STARTED);
        System.err.flush();
        String codeDir = args[0];
        String handler = args[1];
        PrintStream out = new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), false);
        System.setOut(System.err);
        notDumpable();
        if (new File(CHANNEL).exists()) forwardApi();
        Method method;
        try {
            int dot = handler.lastIndexOf('.');
            ClassLoader loader = new URLClassLoader(classPath(new File(codeDir)), JavaModelRunner.class.getClassLoader().getParent());
            Class<?> type = Class.forName(handler.substring(0, dot), true, loader);
            method = find(type, handler.substring(dot + 1));
        } catch (OutOfMemoryError e) {
            frame(out, 'M', new byte[0]);
            return;
        } catch (Throwable e) {
            printModelTrace(e);
            frame(out, 'H', new byte[0]);
            return;
        }
        InputStream in = System.in;
        String requestId = readLine(in);
        String event = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        Map<String, Object> context = new HashMap<>();
        context.put("request_id", requestId);
        context.put("function_name", handler);
        try {
            Object result = method.getParameterCount() == 2 ? method.invoke(null, event, context) : method.invoke(null, event);
            frame(out, '0', String.valueOf(result).getBytes(StandardCharsets.UTF_8));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof OutOfMemoryError) frame(out, 'M', new byte[0]);
            printModelTrace(e.getCause());
            frame(out, 'E', new byte[0]);
        } catch (OutOfMemoryError e) {
            frame(out, 'M', new byte[0]);
        } catch (Throwable e) {
            // The handler could not be called at all (a class or method that is not public): the model's fault, told as one,
            // not a trace through the runner's own classes.
            printModelTrace(e);
            frame(out, 'H', new byte[0]);
        }
    }

    private static void frame(PrintStream out, char status, byte[] body) {
        out.print(status);
        out.print(String.format("%010d", body.length));
        out.write(body, 0, body.length);
        out.flush();
        Runtime.getRuntime().halt(status == '0' ? 0 : 11);
    }

    private static String readLine(InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) line.append((char) c);
        return line.toString().trim();
    }

    /**
     * PR_SET_DUMPABLE 0 through the foreign function API (JDK 22 and later, looked up reflectively so
     * that this class still compiles for 17): no core dumps, {@code /proc/<pid>/mem} closed. The
     * sandbox's seccomp filter refuses turning it back on.
     */
    private static void notDumpable() {
        try {
            Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
            Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
            Object linker = linkerType.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
            Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
            Object symbol = ((java.util.Optional<?>) lookupType.getMethod("find", String.class).invoke(lookup, "prctl")).orElseThrow();
            Object intLayout = valueLayout.getField("JAVA_INT").get(null);
            Object longLayout = valueLayout.getField("JAVA_LONG").get(null);
            Object layouts = java.lang.reflect.Array.newInstance(layoutType, 5);
            java.lang.reflect.Array.set(layouts, 0, intLayout);
            for (int i = 1; i < 5; i++) java.lang.reflect.Array.set(layouts, i, longLayout);
            Object descriptor = descriptorType.getMethod("of", layoutType, layouts.getClass()).invoke(null, intLayout, layouts);
            MethodHandle prctl = (MethodHandle) linkerType.getMethod("downcallHandle", segmentType, descriptorType, optionType.arrayType())
                    .invoke(linker, symbol, descriptor, java.lang.reflect.Array.newInstance(optionType, 0));
            prctl.invokeWithArguments(4, 0L, 0L, 0L, 0L);
        } catch (Throwable unavailable) {
            // before JDK 22: the box's own uid and PID namespace still keep other invocations out
        }
    }

    /** {@code 127.0.0.1:8080} inside the box, forwarded to the platform's API socket. */
    private static void forwardApi() {
        ServerSocket listener;
        try {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080), 16);
        } catch (java.io.IOException e) {
            e.printStackTrace();
            return;
        }
        daemon(() -> {
            while (true) {
                Socket client;
                try {
                    client = listener.accept();
                } catch (java.io.IOException e) {
                    return;
                }
                try {
                    SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(CHANNEL));
                    InputStream clientIn = client.getInputStream();
                    OutputStream clientOut = client.getOutputStream();
                    daemon(() -> pump(clientIn, Channels.newOutputStream(upstream), () -> shutdownOutput(upstream)));
                    daemon(() -> pump(Channels.newInputStream(upstream), clientOut, () -> shutdownOutput(client)));
                } catch (java.io.IOException | RuntimeException | OutOfMemoryError e) {
                    // No channel, or no thread for a pump (the box's process limit): end this connection, keep accepting.
                    closeQuietly(client);
                }
            }
        });
    }

    private static void pump(InputStream from, OutputStream to, Runnable done) {
        byte[] buffer = new byte[65536];
        try {
            for (int n; (n = from.read(buffer)) != -1; ) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (java.io.IOException | RuntimeException closed) {
            // the other side went away
        } finally {
            done.run();
        }
    }

    private static void shutdownOutput(SocketChannel c) {
        try {
            c.shutdownOutput();
        } catch (java.io.IOException ignored) {
            // closed already
        }
    }

    private static void shutdownOutput(Socket s) {
        try {
            s.shutdownOutput();
        } catch (java.io.IOException ignored) {
            // closed already
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (java.io.IOException ignored) {
            // closed already
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "omix-api-forward");
        t.setDaemon(true);
        t.start();
    }

    private static Method find(Class<?> type, String name) throws NoSuchMethodException {
        for (Method m : type.getMethods()) {
            if (!m.getName().equals(name) || !Modifier.isStatic(m.getModifiers())) continue;
            Class<?>[] p = m.getParameterTypes();
            if (p.length == 2 && p[0] == String.class && p[1].isAssignableFrom(Map.class)) return m;
            if (p.length == 1 && p[0] == String.class) return m;
        }
        throw new NoSuchMethodException("no public static " + name + "(String event[, Map context]) in " + type.getName());
    }

    /** The code directory itself (classes) and every jar in it or in its lib/. */
    private static URL[] classPath(File dir) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(dir.toURI().toURL());
        for (File d : new File[] {dir, new File(dir, "lib")}) {
            File[] jars = d.listFiles((f, n) -> n.endsWith(".jar"));
            if (jars == null) continue;
            java.util.Arrays.sort(jars);
            for (File jar : jars) urls.add(jar.toURI().toURL());
        }
        return urls.toArray(new URL[0]);
    }

    /**
     * The model's failure with the model's own frames only: the runner's, reflection's and the JDK's internal frames
     * that called it are not its author's to read (nor anyone's who invokes it).
     */
    static void printModelTrace(Throwable t) {
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            c.setStackTrace(java.util.Arrays.stream(c.getStackTrace()).filter(f -> !f.getClassName().startsWith("jdk.internal.")
                    && !f.getClassName().startsWith("java.lang.reflect.") && !f.getClassName().equals(JavaModelRunner.class.getName())).toArray(StackTraceElement[]::new));
        }
        t.printStackTrace();
    }
}
