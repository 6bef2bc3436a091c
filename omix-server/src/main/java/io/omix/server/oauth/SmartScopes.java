package io.omix.server.oauth;

import io.omix.server.common.auth.Scope;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SMART App Launch v2 scopes, understood by the authorization server: each is kept in the grant as asked (so the
 * token's scope tells a SMART app what it got) and maps onto the platform's own scopes, which are what every
 * endpoint checks: Patient onto profile, Observation onto streams, Specimen onto samples, DocumentReference onto
 * files, {@code *} onto all four. {@code patient/} and {@code user/} mean the same here, since a person's token
 * reads only that person. A scope narrowed by a query ({@code ?category=laboratory}) grants nothing: the platform's
 * Observations carry no category, so none would match. {@code launch/patient} puts the person's id in the token
 * answer as {@code patient}; {@code offline_access} is what the platform's refresh tokens already are.
 */
public final class SmartScopes {
    private static final Pattern RESOURCE = Pattern.compile("(patient|user)/(\\*|Patient|Observation|Specimen|DocumentReference)"
            + "\\.(\\*|read|write|c?r?u?d?s?)(\\?[A-Za-z0-9_\\-.:|=&%]{1,200})?");
    /** The resource types a SMART scope may name, {@code *} aside. */
    private static final List<String> TYPES = List.of("Patient", "Observation", "Specimen", "DocumentReference");
    static final String LAUNCH_PATIENT = "launch/patient";
    private static final Set<String> CONTEXT = Set.of(LAUNCH_PATIENT, "offline_access", "online_access", "openid", "fhirUser");

    private SmartScopes() {}

    /**
     * Whether a token's scopes allow {@code permission} ({@code c r u d s}) on {@code type}: always for a token with no
     * SMART resource scope (its platform scopes decide); otherwise only when one of its SMART scopes names the type
     * (or {@code *}) with that permission ({@code read} is {@code rs}, {@code write} {@code cud}, {@code *} all).
     * The platform's own APIs do not tell reading from writing; the FHIR API holds SMART apps to what they asked.
     */
    public static boolean allows(Set<String> scopes, String type, char permission) {
        boolean anySmart = false;
        for (String s : scopes) {
            Matcher m = RESOURCE.matcher(s);
            if (!m.matches()) continue;
            anySmart = true;
            if (m.group(4) != null || !(m.group(2).equals("*") || m.group(2).equals(type))) continue;
            String p = m.group(3);
            if (p.equals("*") || p.equals("read") && "rs".indexOf(permission) >= 0 || p.equals("write") && "cud".indexOf(permission) >= 0
                    || p.indexOf(permission) >= 0 && !p.equals("read") && !p.equals("write")) {
                return true;
            }
        }
        return !anySmart;
    }

    /**
     * As {@link #allows}, held only by the SMART scopes that name {@code type} (or {@code *}): what a person allowed on
     * other resource types says nothing of this one (her {@code patient/Observation.rs} does not hold back a sample's
     * improvement she allowed with {@code samples}).
     */
    public static boolean allowsOnType(Set<String> scopes, String type, char permission) {
        Set<String> naming = new java.util.HashSet<>();
        for (String s : scopes) {
            Matcher m = RESOURCE.matcher(s);
            if (m.matches() && (m.group(2).equals("*") || m.group(2).equals(type))) naming.add(s);
        }
        return allows(naming, type, permission);
    }

    /**
     * Refuses a caller whose own token holds SMART scopes on {@code type} none of which allows {@code permission}: a person's
     * token of an app she allowed to read her Specimens ({@code patient/Specimen.rs}) does not change or add samples through
     * the platform's APIs either. A token with no SMART scope on the type is held by its platform scopes alone.
     */
    public static void requireOwn(io.omix.server.common.auth.Caller caller, String type, char permission) {
        if (caller.scopes() == null || allowsOnType(caller.scopes(), type, permission)) return;
        throw new io.omix.server.common.http.ApiException(io.omix.server.common.http.ErrorCode.NO_PERMISSION,
                java.util.Map.of("scope", "this token's SMART scopes do not allow '" + permission + "' on " + type));
    }

    /** A SMART resource scope ({@code patient/Observation.rs}): what holds the FHIR API to what the app asked for. */
    static boolean isResource(String scope) {
        return RESOURCE.matcher(scope).matches();
    }

    static boolean isSmart(String scope) {
        return CONTEXT.contains(scope) || RESOURCE.matcher(scope).matches();
    }

    /** The platform scopes a SMART scope grants; empty for context scopes and query-narrowed ones. */
    static Set<String> platformScopes(String scope) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = RESOURCE.matcher(scope);
        if (!m.matches() || m.group(4) != null) return out;
        String permissions = m.group(3);
        if (permissions.isEmpty()) return out;
        List<String> types = m.group(2).equals("*") ? TYPES : List.of(m.group(2));
        for (String type : types) {
            out.add(switch (type) {
                case "Patient" -> Scope.PROFILE.id();
                case "Observation" -> Scope.STREAMS.id();
                case "Specimen" -> Scope.SAMPLES.id();
                default -> Scope.FILES.id();
            });
        }
        return out;
    }

    /**
     * Keeps of a grant's scopes those the client still holds: a platform scope while the client has it. SMART scopes
     * stay: they grant only through the platform scopes kept beside them, and a SMART resource scope only restricts what
     * those allow (taking it away with a platform scope the client lost left the FHIR API unrestricted: a read-only app
     * could write). With no platform scope left, nothing is.
     */
    static void retainHeld(Set<String> scopes, Set<String> clientScopes) {
        scopes.removeIf(s -> !isSmart(s) && !clientScopes.contains(s));
        if (scopes.stream().allMatch(SmartScopes::isSmart)) scopes.clear();
    }

    /**
     * The SMART resource scopes of {@code held} (a consent, or a grant) that hold a token of {@code scopes} asked for as
     * {@code requested}: each whose platform scopes the token has any of (and those narrowed by a query: they grant nothing),
     * on every resource type the request does not name in SMART's words itself. A grant that began in SMART's words stays held
     * to them however later requests are worded: asking for {@code streams} alone would otherwise lift a
     * {@code patient/Observation.rs} app's limit to reading, and asking for {@code files patient/Patient.rs} a
     * {@code patient/DocumentReference.rs} app's limit on files. A held {@code *} scope is kept for the types not named.
     */
    static Set<String> restrictionsFor(Set<String> held, Set<String> scopes, Set<String> requested) {
        Set<String> named = new java.util.HashSet<>();
        for (String s : requested) {
            Matcher m = RESOURCE.matcher(s);
            if (m.matches()) named.add(m.group(2));
        }
        Set<String> out = new LinkedHashSet<>();
        if (named.contains("*")) return out;   // every type narrowed in the request's own words
        for (String s : held) {
            Matcher m = RESOURCE.matcher(s);
            if (!m.matches() || named.contains(m.group(2))) continue;
            List<String> each = m.group(2).equals("*") && !named.isEmpty()
                    ? TYPES.stream().filter(t -> !named.contains(t)).map(t -> m.group(1) + "/" + t + "." + m.group(3) + (m.group(4) == null ? "" : m.group(4))).toList()
                    : List.of(s);
            for (String one : each) {
                Set<String> granting = platformScopes(one);
                if (granting.isEmpty() || granting.stream().anyMatch(scopes::contains)) out.add(one);
            }
        }
        return out;
    }

    /** Whether {@code requested} names any SMART resource scope (the app speaks SMART's words, and narrows in them). */
    static boolean namesResource(Set<String> requested) {
        return requested.stream().anyMatch(SmartScopes::isResource);
    }

    /** Whether a grant of {@code granted} (space-separated) kept nothing once {@link #retainHeld} took what its client lost: it is dead. */
    static boolean nothingLeft(Set<String> retained, String granted) {
        return retained.isEmpty() && granted != null && !granted.isBlank();
    }

    /** The requested scopes with the SMART ones replaced by the platform scopes they grant (for the client's allowance). */
    static Set<String> platformView(Set<String> requested) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : requested) {
            if (isSmart(s)) out.addAll(platformScopes(s));
            else out.add(s);
        }
        return out;
    }

    /**
     * A SMART resource scope as the consent page shows it, {Chinese, English}: what may be done (read, search, create,
     * update, delete) to which of the person's records, so that an application allowed to read her Observations is seen
     * asking to write them. Null for any other scope.
     */
    static String[] inWords(String scope) {
        Matcher m = RESOURCE.matcher(scope);
        if (!m.matches()) return null;
        String p = m.group(3);
        String letters = p.equals("*") ? "cruds" : p.equals("read") ? "rs" : p.equals("write") ? "cud" : p;
        List<String> zh = new java.util.ArrayList<>();
        List<String> en = new java.util.ArrayList<>();
        String[][] names = {{"r", "读取", "read"}, {"s", "检索", "search"}, {"c", "新建", "create"}, {"u", "修改", "update"}, {"d", "删除", "delete"}};
        for (String[] name : names) {
            if (letters.contains(name[0])) {
                zh.add(name[1]);
                en.add(name[2]);
            }
        }
        String type = m.group(2);
        String[] records = switch (type) {
            case "Patient" -> new String[] {"个人资料", "profile"};
            case "Observation" -> new String[] {"健康观测记录", "observations (health data streams)"};
            case "Specimen" -> new String[] {"样本", "samples"};
            case "DocumentReference" -> new String[] {"文件", "files"};
            default -> new String[] {"全部记录", "records of every kind"};
        };
        String narrowed = m.group(4) == null ? "" : " (" + m.group(4).substring(1) + ")";
        return new String[] {String.join("、", zh) + "您的" + records[0] + narrowed,
                String.join(", ", en) + " your " + records[1] + narrowed + " [" + scope + "]"};
    }

    static Set<String> smartOnly(Set<String> requested) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : requested) if (isSmart(s)) out.add(s);
        return out;
    }
}
