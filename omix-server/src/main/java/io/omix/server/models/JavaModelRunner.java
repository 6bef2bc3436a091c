package io.omix.server.models;

import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one invocation of a {@code java} model in its own JVM (started by {@link ModelRunner}, never
 * loaded by the server): {@code package.Class.method} from the model's classes and jars, called as
 * {@code static Object method(String event, Map<String, Object> context)} (or with the event alone).
 * The result's text (a JSON object) goes to the real stdout; whatever the model prints goes to stderr.
 * Exit codes as the python runner's: 0 result written, 11 the model threw, 13 out of memory, 14 bad handler.
 * Depends on nothing but the JDK, so it runs on the model's class path alone.
 */
public final class JavaModelRunner {
    private JavaModelRunner() {}

    public static void main(String[] args) throws Exception {
        String codeDir = args[0];
        String handler = args[1];
        PrintStream out = System.out;
        System.setOut(System.err);
        Method method;
        try {
            int dot = handler.lastIndexOf('.');
            ClassLoader loader = new URLClassLoader(classPath(new File(codeDir)), JavaModelRunner.class.getClassLoader().getParent());
            Class<?> type = Class.forName(handler.substring(0, dot), true, loader);
            method = find(type, handler.substring(dot + 1));
        } catch (OutOfMemoryError e) {
            Runtime.getRuntime().halt(13);
            return;
        } catch (Throwable e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(14);
            return;
        }
        String event = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        Map<String, Object> context = new HashMap<>();
        context.put("request_id", args.length > 2 ? args[2] : "");
        context.put("function_name", handler);
        try {
            Object result = method.getParameterCount() == 2 ? method.invoke(null, event, context) : method.invoke(null, event);
            out.print(String.valueOf(result));
            out.flush();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof OutOfMemoryError) Runtime.getRuntime().halt(13);
            e.getCause().printStackTrace();
            Runtime.getRuntime().halt(11);
        } catch (OutOfMemoryError e) {
            Runtime.getRuntime().halt(13);
        }
        Runtime.getRuntime().halt(0);
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
}
