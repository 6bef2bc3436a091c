package io.omix.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.omix.sdk.Api;
import io.omix.sdk.ClientBuilder;
import io.omix.sdk.ClientCredentials;
import io.omix.sdk.ListModel;
import io.omix.sdk.Model;
import io.omix.sdk.ModelConfig;
import io.omix.sdk.PrivateApi;
import io.omix.sdk.SampleQuery;
import io.omix.sdk.UploadOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code omix api METHOD} and {@code omix private METHOD}: every method of the open platform's and the
 * private platform's clients, named as those clients name them, with options from their parameters.
 * Each prints the answer's {@code data} as JSON (indented on a terminal, one line with
 * {@code --compact}); lists take {@code --all} to walk every page and print one array.
 * One table describes every method, so that options, help and paging are the same everywhere.
 */
final class MethodCommands {
    private MethodCommands() {}

    @Command(name = "api", mixinStandardHelpOptions = true,
            description = {"Call the open platform: every method of its client, by the client's name (omix api get_variants --biosample-id ... --rsids ...).",
                    "Credentials: --token (or $OMIX_ACCESS_TOKEN), else --client-id/--client-secret (client credentials), else the token 'omix login' saved."})
    static final class ApiGroup implements Runnable {
        @CommandLine.Spec CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "private", mixinStandardHelpOptions = true,
            description = {"Call the private platform as a partner app: every method of its client, by the client's name (omix private stream_range ...).",
                    "Credentials: --app-key/--app-secret (or $OMIX_APP_KEY, $OMIX_APP_SECRET); every request is signed."})
    static final class PrivateGroup implements Runnable {
        @CommandLine.Spec CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** The kinds of option value. */
    enum Kind { TEXT, INT, FLAG, LIST, PAIRS, PATH }

    /** One option: {@code --name}, what it holds, whether it must be given. */
    record Opt(String name, Kind kind, boolean required, String help) {
        static Opt req(String name, String help) {
            return new Opt(name, Kind.TEXT, true, help);
        }

        static Opt opt(String name, String help) {
            return new Opt(name, Kind.TEXT, false, help);
        }

        static Opt of(String name, Kind kind, boolean required, String help) {
            return new Opt(name, kind, required, help);
        }
    }

    /** The option values of one run, by option name without the dashes. */
    static final class Args {
        private final CommandSpec spec;
        private final PrintWriter err;

        Args(CommandSpec spec) {
            this.spec = spec;
            this.err = spec.commandLine().getErr();
        }

        private Object value(String name) {
            OptionSpec o = spec.findOption("--" + name);
            return o == null ? null : o.getValue();
        }

        String text(String name) {
            Object v = value(name);
            return v == null || v.toString().isEmpty() ? null : v.toString();
        }

        Integer integer(String name) {
            Long n = number(name);
            if (n != null && (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("--" + name + " must be a whole number, not " + text(name));
            }
            return n == null ? null : n.intValue();
        }

        Long number(String name) {
            String v = text(name);
            if (v == null) return null;
            try {
                return Long.valueOf(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a whole number, not " + v);
            }
        }

        boolean flag(String name) {
            return Boolean.TRUE.equals(value(name));
        }

        /** A comma list, or null when not given. */
        List<String> list(String name) {
            String v = text(name);
            return v == null ? null : Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        Integer[] integers(String name) {
            List<String> l = list(name);
            if (l == null) return null;
            try {
                return l.stream().map(Integer::valueOf).toArray(Integer[]::new);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be whole numbers separated by commas");
            }
        }

        /** Repeated {@code key=value} options as a map (values as given, JSON numbers and booleans kept as text). */
        Map<String, Object> pairs(String name) {
            Map<String, Object> m = new LinkedHashMap<>();
            Object v = value(name);
            if (v instanceof String[] all) {
                for (String kv : all) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("--" + name + " takes key=value, not " + kv);
                    m.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            return m;
        }

        Path path(String name) {
            String v = text(name);
            return v == null ? null : Path.of(v);
        }

        /** A JSON value given inline or as {@code @file}. */
        Object json(String name) {
            String v = text(name);
            if (v == null) return null;
            try {
                String text = v.startsWith("@") ? Files.readString(Path.of(v.substring(1))) : v;
                return JSON.readValue(text, Object.class);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--" + name + " is not JSON (inline, or @file): " + e.getMessage());
            }
        }

        PrintWriter err() {
            return err;
        }
    }

    /** What a method does with its client and options; answers what to print. */
    interface Call<C> {
        Object run(C client, Args a) throws Exception;
    }

    /** One page of a list, given the cursor of the page before's {@code next_page} (null: the first). */
    interface Pager<C> {
        Model page(C client, Args a, Object cursor) throws Exception;
    }

    record Method<C>(String name, String help, List<Opt> opts, Call<C> call, Pager<C> pager) {}

    static final ObjectMapper JSON = new ObjectMapper();

    /** Adds {@code omix api ...} and {@code omix private ...} under the root command line. */
    static void install(CommandLine root) {
        CommandLine api = root.getSubcommands().get("api");
        for (Method<Api> m : openPlatform()) api.addSubcommand(m.name(), command(m, true));
        CommandLine partner = root.getSubcommands().get("private");
        for (Method<PrivateApi> m : privatePlatform()) partner.addSubcommand(m.name(), command(m, false));
    }

    private static <C> CommandLine command(Method<C> m, boolean open) {
        CommandSpec[] self = new CommandSpec[1];
        CommandSpec spec = CommandSpec.wrapWithoutInspection((Runnable) () -> run(self[0], m, open));
        self[0] = spec;
        spec.name(m.name());
        // Help only: rollback_model has a --version of its own (the model's).
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.usageMessage().description(m.help());
        for (Opt o : m.opts()) {
            OptionSpec.Builder b = OptionSpec.builder("--" + o.name()).required(o.required()).description(o.help());
            switch (o.kind()) {
                case FLAG -> b.type(boolean.class).arity("0");
                case PAIRS -> b.type(String[].class).paramLabel("KEY=VALUE");
                case INT -> b.type(String.class).paramLabel("N");
                case PATH -> b.type(String.class).paramLabel("FILE");
                case LIST -> b.type(String.class).paramLabel("A,B,...");
                default -> b.type(String.class).paramLabel(o.name().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            }
            spec.addOption(b.build());
        }
        spec.addOption(OptionSpec.builder("--endpoint").type(String.class).paramLabel("URL")
                .defaultValue(env("OMIX_ENDPOINT", ClientBuilder.DEFAULT_ENDPOINT)).description("Server address (default: $OMIX_ENDPOINT, else " + ClientBuilder.DEFAULT_ENDPOINT + ").").build());
        if (open) {
            spec.addOption(OptionSpec.builder("--token").type(String.class).paramLabel("TOKEN").description("Access token (default: $OMIX_ACCESS_TOKEN).").build());
            spec.addOption(OptionSpec.builder("--client-id").type(String.class).paramLabel("ID").description("OAuth2 client id, for the client's own token (default: $OMIX_CLIENT_ID).").build());
            spec.addOption(OptionSpec.builder("--client-secret").type(String.class).paramLabel("SECRET").description("OAuth2 client secret (default: $OMIX_CLIENT_SECRET).").build());
        } else {
            spec.addOption(OptionSpec.builder("--app-key").type(String.class).paramLabel("KEY").description("App key (default: $OMIX_APP_KEY).").build());
            spec.addOption(OptionSpec.builder("--app-secret").type(String.class).paramLabel("SECRET").description("App secret (default: $OMIX_APP_SECRET).").build());
        }
        spec.addOption(OptionSpec.builder("--compact").type(boolean.class).arity("0").description("Print the JSON on one line (it is indented on a terminal).").build());
        if (m.pager() != null) {
            spec.addOption(OptionSpec.builder("--all").type(boolean.class).arity("0")
                    .description("Every page: fetch them all and print one array of every item.").build());
        }
        return new CommandLine(spec);
    }

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : v;
    }

    @SuppressWarnings("unchecked")
    private static <C> void run(CommandSpec spec, Method<C> m, boolean open) {
        Args a = new Args(spec);
        try (io.omix.sdk.Omix omix = io.omix.sdk.Omix.builder().endpoint(a.text("endpoint")).build()) {
            C client = (C) (open ? openPlatform(omix, a) : privatePlatform(omix, a));
            Object answer;
            if (m.pager() != null && a.flag("all")) {
                List<Object> items = new ArrayList<>();
                Object cursor = null;
                while (true) {
                    Model page = m.pager().page(client, a, cursor);
                    ListModel result = page.getList("result");
                    if (result == null || result.isEmpty()) break;
                    items.addAll(result.json());
                    cursor = page.get("next_page");
                    if (cursor == null || "".equals(cursor)) break;
                }
                answer = items;
            } else {
                answer = m.call().run(client, a);
            }
            print(spec.commandLine().getOut(), answer, a.flag("compact"));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static void print(PrintWriter out, Object answer, boolean compact) throws java.io.IOException {
        Object json = answer instanceof Model model ? model.json() : answer instanceof ListModel list ? list.json() : answer;
        boolean pretty = !compact && System.console() != null;
        out.println(pretty ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) : JSON.writeValueAsString(json));
        out.flush();
    }

    private static Api openPlatform(io.omix.sdk.Omix omix, Args a) throws java.io.IOException {
        String token = a.text("token") != null ? a.text("token") : System.getenv("OMIX_ACCESS_TOKEN");
        if (token != null && !token.isBlank()) return omix.openPlatform(token);
        String id = a.text("client-id") != null ? a.text("client-id") : System.getenv("OMIX_CLIENT_ID");
        String secret = a.text("client-secret") != null ? a.text("client-secret") : System.getenv("OMIX_CLIENT_SECRET");
        if (id != null && !id.isBlank() && secret != null && !secret.isBlank()) return omix.openPlatform(ClientCredentials.of(id, secret));
        Path saved = Path.of(System.getProperty("user.home"), ".omix", "token.json");
        if (Files.isRegularFile(saved)) {
            String t = JSON.readTree(saved.toFile()).path("access_token").asText(null);
            if (t != null) return omix.openPlatform(t);
        }
        throw new IllegalArgumentException("give --token (or $OMIX_ACCESS_TOKEN), or --client-id and --client-secret, or run omix login first");
    }

    private static PrivateApi privatePlatform(io.omix.sdk.Omix omix, Args a) {
        String key = a.text("app-key") != null ? a.text("app-key") : System.getenv("OMIX_APP_KEY");
        String secret = a.text("app-secret") != null ? a.text("app-secret") : System.getenv("OMIX_APP_SECRET");
        if (key == null || key.isBlank() || secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("give --app-key and --app-secret (or $OMIX_APP_KEY and $OMIX_APP_SECRET)");
        }
        return omix.privatePlatform(key, secret);
    }

    private static final Opt BIOSAMPLE = Opt.req("biosample-id", "The sample (E-...).");
    private static final Opt LIMIT = Opt.of("limit", Kind.INT, false, "Items a page.");
    private static final Opt NEXT_PAGE = Opt.opt("next-page", "The next_page of the page before (its cursor).");
    private static final Opt FIELDS = Opt.of("field", Kind.PAIRS, false, "A further sample field, KEY=VALUE (repeatable).");

    private static Integer page(Object cursor) {
        return cursor == null ? null : ((Number) cursor).intValue();
    }

    private static String token(Object cursor) {
        return cursor == null ? null : cursor.toString();
    }

    private static int requiredSite(Args a) {
        Integer site = a.integer("biosample-site");
        if (site == null) throw new IllegalArgumentException("--biosample-site is required");
        return site;
    }

    /** The open platform's methods, as its client names them. */
    static List<Method<Api>> openPlatform() {
        List<Method<Api>> all = new ArrayList<>();
        all.add(new Method<>("alive", "Whether the server answers (true or false).", List.of(), (api, a) -> api.alive(), null));
        all.add(new Method<>("get_user", "The signed-in person's profile (a person's token: omix login).", List.of(), (api, a) -> api.getUser(), null));
        Pager<Api> samples = (api, a, c) -> {
            SampleQuery.Builder q = SampleQuery.builder();
            if (a.list("biosample-ids") != null) q.biosampleIds(a.list("biosample-ids").toArray(String[]::new));
            if (a.integers("biosample-sites") != null) q.biosampleSites(a.integers("biosample-sites"));
            if (a.integers("omics") != null) q.omics(a.integers("omics"));
            if (a.list("project-ids") != null) q.projectIds(a.list("project-ids").toArray(String[]::new));
            if (a.integers("organisms") != null) q.organisms(a.integers("organisms"));
            if (a.integers("statuses") != null) q.statuses(a.integers("statuses"));
            if (a.text("data-availability") != null) q.dataAvailability(Boolean.parseBoolean(a.text("data-availability")));
            Integer page = c != null ? page(c) : a.integer("page");
            if (page != null) q.page(page);
            if (a.integer("limit") != null) q.limit(a.integer("limit"));
            return api.getSamples(q.build());
        };
        all.add(new Method<>("get_samples", "The samples the token sees, a page at a time (--all: every one).",
                List.of(Opt.of("biosample-ids", Kind.LIST, false, "Only these samples."), Opt.of("biosample-sites", Kind.LIST, false, "Only these body sites (1-15)."),
                        Opt.of("omics", Kind.LIST, false, "1 genomics, 2 metagenomics."), Opt.of("project-ids", Kind.LIST, false, "Only these projects."),
                        Opt.of("organisms", Kind.LIST, false, "1 human, 2 mouse, 3 rat."), Opt.of("statuses", Kind.LIST, false, "Status codes (1000 ... 9999)."),
                        Opt.opt("data-availability", "true or false."), Opt.of("page", Kind.INT, false, "The page, from 1."), LIMIT),
                (api, a) -> samples.page(api, a, null), samples));
        all.add(new Method<>("get_sample", "One sample.", List.of(BIOSAMPLE), (api, a) -> api.getSample(a.text("biosample-id")), null));
        all.add(new Method<>("register_sample", "Register a sample for the application (its own token); prints {biosample_id}.",
                List.of(Opt.req("external-sample-id", "The application's own id of the sample."), Opt.of("biosample-site", Kind.INT, true, "The body site, 1-15."),
                        Opt.req("project-id", "The project (P-...)."), Opt.of("duplicate-enabled", Kind.FLAG, false, "Register even when the external id exists."), FIELDS),
                (api, a) -> api.registerSample(a.text("external-sample-id"), requiredSite(a), a.text("project-id"), a.flag("duplicate-enabled"),
                        a.pairs("field")), null));
        all.add(new Method<>("improve_sample", "Fill a sample's fields that are still empty.", List.of(BIOSAMPLE, FIELDS),
                (api, a) -> api.improveSample(a.text("biosample-id"), a.pairs("field")), null));
        all.add(new Method<>("get_external_ids", "The application's samples by the ids it registered them under.",
                List.of(Opt.req("project-id", "The project (P-...)."), Opt.of("biosample-site", Kind.INT, true, "The body site, 1-15."),
                        Opt.of("external-ids", Kind.LIST, false, "Only these external ids.")),
                (api, a) -> api.getExternalIds(a.text("project-id"), requiredSite(a), a.list("external-ids")), null));
        all.add(new Method<>("get_variants", "A sample's calls at 1 to 100 rs ids, in the order asked.",
                List.of(BIOSAMPLE, Opt.of("rsids", Kind.LIST, true, "rs ids, comma separated.")),
                (api, a) -> api.getVariants(a.text("biosample-id"), String.join(",", a.list("rsids"))), null));
        Pager<Api> region = (api, a, c) -> api.getProfessionalVariant(a.text("biosample-id"), a.list("regions"),
                a.path("bed-file") == null ? null : Files.readString(a.path("bed-file")), !a.flag("all-sites"), c != null ? token(c) : a.text("next-page"),
                a.integer("limit"));
        all.add(new Method<>("professional_variant", "A sample's calls in regions (chr:start-end, 1-based) or a BED file's regions; variant sites unless --all-sites.",
                List.of(BIOSAMPLE, Opt.of("regions", Kind.LIST, false, "chromosome:start-end, comma separated (or --bed-file)."),
                        Opt.of("bed-file", Kind.PATH, false, "A BED file (0-based, end excluded)."),
                        Opt.of("all-sites", Kind.FLAG, false, "Keep homozygous reference calls and no-calls."), NEXT_PAGE, LIMIT),
                (api, a) -> region.page(api, a, null), region));
        all.add(new Method<>("get_overview", "One sample's data at a glance: variant import, microbiome profiles, stream series (by the token's scopes).",
                List.of(BIOSAMPLE), (api, a) -> api.getOverview(a.text("biosample-id")), null));
        Pager<Api> taxa = (api, a, c) -> api.getTaxonAbundance(a.text("biosample-id"), a.text("taxon-ids"), c != null ? page(c) : a.integer("page"),
                a.integer("limit"));
        all.add(new Method<>("get_taxon_abundance", "A metagenomics sample's taxa at every rank, with the cohort's distribution (a person's token).",
                List.of(BIOSAMPLE, Opt.of("taxon-ids", Kind.LIST, false, "Only these NCBI taxon ids (any rank)."), Opt.of("page", Kind.INT, false, "The page, from 1."), LIMIT),
                (api, a) -> taxa.page(api, a, null), taxa));
        Pager<Api> funcs = (api, a, c) -> api.getFuncAbundance(a.text("biosample-id"), a.text("catalog"), a.text("ids"),
                c != null ? token(c) : a.text("next-page"), a.integer("limit"));
        all.add(new Method<>("get_func_abundance", "A metagenomics sample's functions in one catalog (a person's token).",
                List.of(BIOSAMPLE, Opt.req("catalog", "go, ko, eggnog, pfam, kegg-pwy, kegg-mdl, level4ec, metacyc-rxn or metacyc-pwy."),
                        Opt.of("ids", Kind.LIST, false, "Only these function ids."), NEXT_PAGE, LIMIT),
                (api, a) -> funcs.page(api, a, null), funcs));
        Pager<Api> genes = (api, a, c) -> api.getGeneAbundance(a.text("biosample-id"), a.text("catalog"), a.text("data-type") == null ? "list" : a.text("data-type"),
                a.text("ids"), c != null ? token(c) : a.text("next-page"), a.integer("limit"));
        all.add(new Method<>("get_gene_abundance", "A metagenomics sample's genes in a catalog: listed, or the whole table as a signed file (a person's token).",
                List.of(BIOSAMPLE, Opt.req("catalog", "IGC_9.9M or UniRef90_HUMAnN2_0.11."), Opt.opt("data-type", "list (default) or file."),
                        Opt.of("ids", Kind.LIST, false, "Only these gene ids."), NEXT_PAGE, LIMIT),
                (api, a) -> genes.page(api, a, null), genes));
        Pager<Api> range = (api, a, c) -> api.getRangeStream(a.text("data-element-id"), a.text("biosample-id"), a.text("start-time"), a.text("end-time"),
                a.text("sort-direction"), c != null ? token(c) : a.text("next-page"), a.integer("limit"));
        all.add(new Method<>("get_range_stream", "Stream records of a data element in a time window.",
                List.of(Opt.req("data-element-id", "The data element."), Opt.opt("biosample-id", "The sample (required with the application's own token)."),
                        Opt.opt("start-time", "The earliest time (1986, 2021-04-01, 2021-04-01 10:11:00, ISO with offset)."),
                        Opt.opt("end-time", "The latest time."), Opt.opt("sort-direction", "asc or desc (default)."), NEXT_PAGE, LIMIT),
                (api, a) -> range.page(api, a, null), range));
        all.add(new Method<>("write_phenotype", "Write one record of one of the application's samples (its own token); prints {stream_id}.",
                List.of(BIOSAMPLE, Opt.req("data-element-id", "The data element."), Opt.req("stream-generate-time", "When it was measured."),
                        Opt.req("stream-data", "The payload: JSON, inline or @file."), Opt.of("duplicate-enabled", Kind.FLAG, false, "Keep it even when the time has a record.")),
                (api, a) -> api.writePhenotype(a.text("biosample-id"), a.text("data-element-id"), a.text("stream-generate-time"), a.json("stream-data"),
                        a.flag("duplicate-enabled")), null));
        all.add(new Method<>("aggregate_omics_data", "Numeric stream values by period: count, sum, mean, min, max.",
                List.of(Opt.req("data-element-id", "The data element."), Opt.req("time-dimension", "year, quarter, month, week, day, hour, minute or second."),
                        Opt.req("start-time", "The first period holds this time."), Opt.opt("end-time", "The last time counted (or --periods)."),
                        Opt.opt("biosample-id", "The sample (required with the application's own token)."), Opt.of("interval", Kind.INT, false, "Units a period (default 1)."),
                        Opt.of("periods", Kind.INT, false, "How many periods, 1-100.")),
                (api, a) -> api.aggregateOmicsData(a.text("data-element-id"), a.text("time-dimension"), a.text("start-time"), a.text("end-time"),
                        a.text("biosample-id"), a.integer("interval"), a.integer("periods")), null));
        Pager<Api> items = (api, a, c) -> api.getDataItems(a.text("namespace"), a.text("biosample-id"), a.number("collection-id"), a.list("data-element-ids"),
                c != null ? token(c) : a.text("next-page"));
        all.add(new Method<>("get_data_items", "Data items of committed batches, of samples the token sees.",
                List.of(Opt.req("namespace", "The namespace of the app that imported them."), Opt.opt("biosample-id", "Only this sample's."),
                        Opt.of("collection-id", Kind.INT, false, "Only this batch's."), Opt.of("data-element-ids", Kind.LIST, false, "Only these data elements (at most 100)."), NEXT_PAGE),
                (api, a) -> items.page(api, a, null), items));
        all.add(new Method<>("get_upload_token", "Credentials for the file store, for other tools.", List.of(), (api, a) -> api.getUploadToken(), null));
        all.add(new Method<>("get_download_url", "A signed download link to one of the caller's objects.",
                List.of(Opt.req("object-name", "The object's name."), Opt.opt("region", "domestic or international."),
                        Opt.of("expiration-time", Kind.INT, false, "Seconds the link lives (default 600).")),
                (api, a) -> api.getDownloadUrl(a.text("object-name"), a.text("region"), a.integer("expiration-time")), null));
        all.add(new Method<>("delete_object", "Delete one of the caller's objects; its links stop working.",
                List.of(Opt.req("object-name", "The object's name.")), (api, a) -> api.deleteObject(a.text("object-name")), null));
        all.add(new Method<>("upload", "Upload a file (in parts, with a progress bar); prints {object_name}.",
                List.of(Opt.of("file", Kind.PATH, true, "The file."), Opt.opt("filename", "The name to store it under (default: the file's name).")),
                (api, a) -> {
                    Path file = a.path("file");
                    ProgressBar bar = new ProgressBar(a.err(), "upload", Files.size(file));
                    String name = api.upload(a.text("filename") != null ? a.text("filename") : file.getFileName().toString(), file,
                            UploadOptions.builder().listener((done, total) -> bar.update(done)).build());
                    bar.finish();
                    return Map.of("object_name", name);
                }, null));
        all.add(new Method<>("download", "Download one of the caller's objects to a file (with a progress bar); prints {object_name, bytes, file}.",
                List.of(Opt.req("object-name", "The object's name."), Opt.of("out", Kind.PATH, true, "Where to write it.")),
                (api, a) -> {
                    ProgressBar[] bar = new ProgressBar[1];
                    long bytes = api.download(a.text("object-name"), a.path("out"), (done, total) -> {
                        if (bar[0] == null) bar[0] = new ProgressBar(a.err(), "download", total);
                        bar[0].update(done);
                    });
                    if (bar[0] != null) bar[0].finish();
                    return Map.of("object_name", a.text("object-name"), "bytes", bytes, "file", a.path("out").toString());
                }, null));
        all.add(new Method<>("invoke_model", "Run a model's published version with --param KEY=VALUE as its query.",
                List.of(Opt.req("model-id", "The model."), Opt.of("param", Kind.PAIRS, false, "A model parameter (repeatable).")),
                (api, a) -> api.invokeModel(a.text("model-id"), a.pairs("param")), null));
        all.add(new Method<>("invoke_draft_model", "Run a model's draft version.",
                List.of(Opt.req("model-id", "The model."), Opt.of("param", Kind.PAIRS, false, "A model parameter (repeatable).")),
                (api, a) -> api.invokeDraftModel(a.text("model-id"), a.pairs("param")), null));
        all.add(new Method<>("deploy_model", "Upload a zip and deploy it as the model's draft, then wait for the deployment.",
                List.of(Opt.req("model-id", "The model."), Opt.of("source-file", Kind.PATH, true, "The zip."), Opt.opt("handler", "Entry point (default index.handler)."),
                        Opt.opt("runtime", "python3 (default) or java."), Opt.of("memory-size", Kind.INT, false, "MB (default 128)."),
                        Opt.of("timeout", Kind.INT, false, "Seconds an invocation may run (default 900)."), Opt.opt("comment", "What this version is.")),
                (api, a) -> {
                    ModelConfig.Builder c = ModelConfig.builder();
                    if (a.text("handler") != null) c.handler(a.text("handler"));
                    if (a.text("runtime") != null) c.runtime(a.text("runtime"));
                    if (a.integer("memory-size") != null) c.memorySize(a.integer("memory-size"));
                    if (a.integer("timeout") != null) c.timeout(a.integer("timeout"));
                    if (a.text("comment") != null) c.comment(a.text("comment"));
                    return api.deployModel(a.text("model-id"), a.path("source-file"), c.build(), Duration.ofMinutes(10));
                }, null));
        all.add(new Method<>("publish_model", "Publish the draft as the stable version.",
                List.of(Opt.req("model-id", "The model."), Opt.opt("message", "What the version changes.")),
                (api, a) -> api.publishModel(a.text("model-id"), a.text("message")), null));
        all.add(new Method<>("rollback_model", "Make an earlier version the stable one.",
                List.of(Opt.req("model-id", "The model."), Opt.of("version", Kind.INT, true, "The version.")),
                (api, a) -> api.rollbackModel(a.text("model-id"), a.integer("version")), null));
        Pager<Api> versions = (api, a, c) -> api.getModelVersions(a.text("model-id"), a.integer("limit"), c != null ? token(c) : a.text("next-page"));
        all.add(new Method<>("model_versions", "A model's versions, newest first.", List.of(Opt.req("model-id", "The model."), LIMIT, NEXT_PAGE),
                (api, a) -> versions.page(api, a, null), versions));
        all.add(new Method<>("task", "A task (a deployment, an export): progress and result.", List.of(Opt.req("task-id", "The task.")),
                (api, a) -> api.task(a.text("task-id")), null));
        return all;
    }

    /** The private platform's methods, as its client names them. */
    static List<Method<PrivateApi>> privatePlatform() {
        List<Method<PrivateApi>> all = new ArrayList<>();
        Pager<PrivateApi> samples = (p, a, c) -> p.getSamples(a.text("biosample-id"), a.text("external-sample-id"), c != null ? page(c) : a.integer("page"),
                a.integer("limit"));
        all.add(new Method<>("get_samples", "The app's samples, a page at a time (--all: every one).",
                List.of(Opt.opt("biosample-id", "Only this sample."), Opt.opt("external-sample-id", "Only the sample with this external id."),
                        Opt.of("page", Kind.INT, false, "The page, from 1."), LIMIT),
                (p, a) -> samples.page(p, a, null), samples));
        all.add(new Method<>("register_sample", "Register a sample in the app's namespace; prints {biosample_id}.",
                List.of(Opt.of("biosample-site", Kind.INT, true, "The body site, 1-15."), Opt.req("project-id", "The project (P-...)."),
                        Opt.opt("external-sample-id", "The app's own id of the sample."), FIELDS),
                (p, a) -> p.registerSample(requiredSite(a), a.text("project-id"), a.text("external-sample-id"), a.pairs("field")), null));
        all.add(new Method<>("improve_sample", "Fill a sample's fields that are still empty.", List.of(BIOSAMPLE, FIELDS),
                (p, a) -> p.improveSample(a.text("biosample-id"), a.pairs("field")), null));
        all.add(new Method<>("stream_bind", "The entity behind a sample, to write its records to; prints {fundamental_entity_id}.", List.of(BIOSAMPLE),
                (p, a) -> p.streamBind(a.text("biosample-id")), null));
        all.add(new Method<>("write_stream", "Write one record; prints it with its stream_id.",
                List.of(Opt.req("fundamental-entity-id", "The entity (stream_bind)."), Opt.req("data-element-id", "The data element."),
                        Opt.req("stream-generate-time", "When it was measured."), Opt.req("stream-data", "The payload: JSON, inline or @file."),
                        Opt.of("duplicate-enabled", Kind.FLAG, false, "Keep it even when the time has a record.")),
                (p, a) -> p.writeStream(a.text("fundamental-entity-id"), a.text("data-element-id"), a.text("stream-generate-time"), a.json("stream-data"),
                        a.flag("duplicate-enabled")), null));
        all.add(new Method<>("batch_write_stream", "Write up to 100 records given as a JSON array (inline or @file); each item written or refused.",
                List.of(Opt.req("streams", "[{fundamental_entity_id, data_element_id, stream_generate_time, stream_data}, ...]"),
                        Opt.of("duplicate-enabled", Kind.FLAG, false, "Keep records whose time has one.")),
                (p, a) -> {
                    Object streams = a.json("streams");
                    if (!(streams instanceof List<?> list)) throw new IllegalArgumentException("--streams must be a JSON array");
                    @SuppressWarnings("unchecked") List<Map<String, ?>> items = (List<Map<String, ?>>) list;
                    return p.batchWriteStream(items, a.flag("duplicate-enabled"));
                }, null));
        all.add(new Method<>("stream_retrieve", "One record by its id.", List.of(Opt.req("stream-id", "The record.")),
                (p, a) -> p.streamRetrieve(a.text("stream-id")), null));
        Pager<PrivateApi> range = (p, a, c) -> p.streamRange(a.text("namespace"), a.text("data-element-id"), a.text("fundamental-entity-id"),
                a.text("biosample-id"), a.text("start-time"), a.text("end-time"), a.text("sort-direction"), c != null ? token(c) : a.text("next-page"),
                a.integer("limit"));
        all.add(new Method<>("stream_range", "Records of a data element of one entity or sample, in a time window.",
                List.of(Opt.req("namespace", "The app's namespace."), Opt.req("data-element-id", "The data element."),
                        Opt.opt("fundamental-entity-id", "The entity (or --biosample-id)."), Opt.opt("biosample-id", "The sample (or --fundamental-entity-id)."),
                        Opt.opt("start-time", "The earliest time."), Opt.opt("end-time", "The latest time."), Opt.opt("sort-direction", "asc or desc (default)."),
                        NEXT_PAGE, LIMIT),
                (p, a) -> range.page(p, a, null), range));
        all.add(new Method<>("register_batch", "Open a batch; prints {batch_no}.",
                List.of(Opt.req("title", "Its title."), Opt.opt("intro", "Its description.")),
                (p, a) -> p.registerBatch(a.text("title"), a.text("intro") == null ? "" : a.text("intro")), null));
        all.add(new Method<>("retrieve_batch", "A batch.", List.of(Opt.of("batch-no", Kind.INT, true, "The batch number.")),
                (p, a) -> p.retrieveBatch(a.number("batch-no")), null));
        all.add(new Method<>("import_batch", "Add up to 100 data items (a JSON array, inline or @file) to a batch.",
                List.of(Opt.of("batch-no", Kind.INT, true, "The batch number."), Opt.req("data-items", "[{data_element_id, attributes}, ...]"),
                        Opt.opt("biosample-id", "The sample they describe.")),
                (p, a) -> {
                    Object items = a.json("data-items");
                    if (!(items instanceof List<?> list)) throw new IllegalArgumentException("--data-items must be a JSON array");
                    @SuppressWarnings("unchecked") List<Map<String, ?>> typed = (List<Map<String, ?>>) list;
                    p.importBatch(a.number("batch-no"), typed, a.text("biosample-id"));
                    return Map.of("batch_no", a.number("batch-no"), "imported", typed.size());
                }, null));
        all.add(new Method<>("commit_batch", "Commit a batch; prints its task (omix private task --task-id ...).",
                List.of(Opt.of("batch-no", Kind.INT, true, "The batch number.")), (p, a) -> p.commitBatch(a.number("batch-no")), null));
        all.add(new Method<>("task", "A task: progress and result.", List.of(Opt.req("task-id", "The task.")), (p, a) -> p.task(a.text("task-id")), null));
        Pager<PrivateApi> items = (p, a, c) -> p.getDataItems(a.text("biosample-id"), a.number("collection-id"), a.list("data-element-ids"),
                c != null ? token(c) : a.text("next-page"), a.integer("limit"));
        all.add(new Method<>("get_data_items", "Data items of the app's committed batches.",
                List.of(Opt.opt("biosample-id", "Only this sample's."), Opt.of("collection-id", Kind.INT, false, "Only this batch's."),
                        Opt.of("data-element-ids", Kind.LIST, false, "Only these data elements (at most 100)."), NEXT_PAGE, LIMIT),
                (p, a) -> items.page(p, a, null), items));
        return all;
    }
}
