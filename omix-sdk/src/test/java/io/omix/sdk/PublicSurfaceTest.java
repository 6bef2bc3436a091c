package io.omix.sdk;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a user of the SDK can reach: the exported package only, and nothing in it that hands out the internals. */
class PublicSurfaceTest {
    @Test
    void onlyThePublicPackageIsExported() throws Exception {
        ModuleDescriptor module;
        try (var in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            module = ModuleDescriptor.read(in);
        }
        assertEquals("io.omix.sdk", module.name());
        assertEquals(Set.of("io.omix.sdk"), module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    }

    @Test
    void noPublicMemberTakesOrReturnsAnInternalType() throws Exception {
        List<String> leaks = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("target/classes/io/omix/sdk"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = "io.omix.sdk." + f.getFileName().toString().replace(".class", "");
                Class<?> c = Class.forName(name);
                if (!Modifier.isPublic(c.getModifiers())) continue;
                for (Method m : c.getDeclaredMethods()) {
                    if (!Modifier.isPublic(m.getModifiers()) && !Modifier.isProtected(m.getModifiers())) continue;
                    List<Type> types = new ArrayList<>(List.of(m.getGenericParameterTypes()));
                    types.add(m.getGenericReturnType());
                    for (Type t : types) if (t.getTypeName().contains("io.omix.sdk.internal")) leaks.add(name + "." + m.getName() + ": " + t.getTypeName());
                }
                for (var k : c.getDeclaredConstructors()) {
                    if (!Modifier.isPublic(k.getModifiers()) && !Modifier.isProtected(k.getModifiers())) continue;
                    for (Type t : k.getGenericParameterTypes()) if (t.getTypeName().contains("io.omix.sdk.internal")) leaks.add(name + "(): " + t.getTypeName());
                }
            }
        }
        assertTrue(leaks.isEmpty(), "internal types in the public surface: " + leaks);
    }

    @Test
    void aModelsTreeCannotBeChangedThroughIt() {
        Model m = Model.parse("{\"a\": {\"b\": 1}}");
        ((com.fasterxml.jackson.databind.node.ObjectNode) m.node()).put("a", 2);
        assertEquals(1, m.at("a.b"), "node() is a copy");
        assertNotSame(m.node(), m.node());
    }
}
