package io.omix.server.samples;

import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields a sample's groups hold (the private platform), each text or number. Register and improve accept
 * every one of them by its name; improve fills those still empty and refuses to change a set one.
 */
final class SampleFields {
    enum Type { TEXT, NUMBER }

    record Field(String group, String name, Type type) {}

    static final Map<String, Field> ALL = new LinkedHashMap<>();

    static {
        text("library", "library_id", "library_strategy", "library_source", "library_selection", "library_layout", "dnb_id");
        number("library", "insert_size", "nominal_size");
        text("sequencing", "platform", "instrument_model", "instrument_serial_number", "read_type", "slide_id", "lane_id",
                "barcode", "sequencing_time", "fastq_backup_location");
        number("sequencing", "raw_data_readnum", "raw_data_basenum", "raw_data_gc_content", "raw_data_n_count", "raw_data_q20",
                "raw_data_q30", "clean_data_readnum", "clean_data_basenum", "clean_data_gc_content", "clean_data_n_count",
                "clean_data_q20", "clean_data_q30");
        number("statistics", "coverage", "depth", "base_pairs", "variant_counting", "human_contamination");
        number("alignment", "mapping_rate", "pe_mapping_rate", "duplication_rate", "mismatch_rate", "chimerical_rate",
                "calculated_insert_size", "capture_rate_on_reads", "capture_rate_on_bases", "average_depth_rmdup",
                "coverage_gteq_1_fold", "coverage_gteq_2_fold", "coverage_gteq_3_fold", "coverage_gteq_4_fold",
                "coverage_gteq_5_fold", "coverage_gteq_10_fold", "coverage_gteq_20_fold", "coverage_gteq_30_fold",
                "coverage_gteq_100_fold", "uniformity_gt_point_2_fold");
    }

    static final List<String> GROUPS = List.of("library", "sequencing", "statistics", "alignment");

    private static void text(String group, String... names) {
        for (String n : names) ALL.put(n, new Field(group, n, Type.TEXT));
    }

    private static void number(String group, String... names) {
        for (String n : names) ALL.put(n, new Field(group, n, Type.NUMBER));
    }

    static List<String> fieldsOf(String group) {
        List<String> out = new ArrayList<>();
        ALL.values().forEach(f -> {
            if (f.group().equals(group)) out.add(f.name());
        });
        return out;
    }

    /** One declared parameter per field: numbers as decimals, texts up to 256 characters. */
    static final Map<String, Param<?, ?>> PARAMS = new LinkedHashMap<>();

    static {
        for (Field f : ALL.values()) {
            PARAMS.put(f.name(), f.type() == Type.NUMBER ? Param.decimal(f.name()) : Param.string(f.name()).maxLength(256));
        }
    }

    /** The field parameters followed by {@code more}. */
    static ParamSpec specWith(Param<?, ?>... more) {
        List<Param<?, ?>> all = new ArrayList<>(List.of(more));
        all.addAll(PARAMS.values());
        return ParamSpec.of(all.toArray(new Param<?, ?>[0]));
    }
}
