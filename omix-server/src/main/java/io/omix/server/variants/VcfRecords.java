package io.omix.server.variants;

import htsjdk.samtools.util.BlockCompressedInputStream;
import htsjdk.tribble.TribbleException;
import htsjdk.tribble.readers.LineIteratorImpl;
import htsjdk.tribble.readers.SynchronousLineReader;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFCodec;
import htsjdk.variant.vcf.VCFHeader;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A VCF's records parsed on several threads and handed back in file order. The calling thread reads
 * the text (gunzipped when it is gzip or BGZF) and cuts it into chunks; each chunk is parsed by htsjdk
 * on a worker holding a codec and a header of its own (a codec is not thread-safe, and a record's
 * genotypes are decoded later, through the codec that read it). Parsing was an import's limit once its
 * calls went into blocks: one thread parsed 300,000-400,000 records a second.
 */
final class VcfRecords implements AutoCloseable {
    /** Records a worker parses at a time. */
    static final int CHUNK = 1000;
    /** The longest line taken (a record with a long annotation is tens of KB): a longer one is refused as it is read. */
    static final int MAX_LINE_CHARS = 1 << 20;
    /** What a header may hold (every parser thread reads it again): a large assembly's contig lines fit many times over. */
    static final long MAX_HEADER_CHARS = 32L << 20;
    /** What one chunk's lines may hold, so that the chunks in flight stay small however long the lines. */
    static final long MAX_CHUNK_CHARS = 8L << 20;
    private static final Pattern HTSJDK_LINE = Pattern.compile("(approximately )?line number \\d+");

    /** What a worker makes of a record: anything, built off the reading thread. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(VariantContext record, long seq);
    }

    /** A parsed record: where it is in the file, and what the parser made of it. */
    record Parsed<T>(String contig, int start, long seq, T value) {}

    final VCFHeader header;
    private final List<String> headerLines;
    private final BufferedReader reader;
    private final ArrayDeque<Future<List<Parsed<Object>>>> inFlight = new ArrayDeque<>();
    private ExecutorService workers;
    private Parser<?> parser;
    private int threads;
    private final ThreadLocal<VCFCodec> codecs = ThreadLocal.withInitial(this::newCodec);
    private String firstRecord;
    private long lineNo;
    private long seq;
    private boolean exhausted;

    private VcfRecords(BufferedReader reader, List<String> headerLines, VCFHeader header, long lineNo) {
        this.reader = reader;
        this.headerLines = headerLines;
        this.header = header;
        this.lineNo = lineNo;
    }

    /** Reads the header; records are read from {@link #parseWith} on. */
    static VcfRecords open(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(4);
        byte[] magic = buffered.readNBytes(3);
        buffered.reset();
        if (magic.length == 3 && magic[0] == 'B' && magic[1] == 'C' && magic[2] == 'F') {
            throw new IOException("this is BCF; convert it to VCF first (bcftools view -Ov)");
        }
        BufferedReader reader;
        List<String> headerLines = new ArrayList<>();
        String line;
        try {
            InputStream text = buffered;
            if (magic.length >= 2 && (magic[0] & 0xFF) == 0x1f && (magic[1] & 0xFF) == 0x8b) {
                // BGZF (what bgzip and tabix write) through htsjdk's reader, block after block: the JDK's gzip reader
                // decides whether another member follows from available(), which a network upload may answer 0 at a
                // block's end, ending the file early without a word.
                text = BlockCompressedInputStream.isValidFile(buffered) ? new BlockCompressedInputStream(buffered) : new GZIPInputStream(buffered, 1 << 16);
            }
            reader = new BufferedReader(new LineLimit(new InputStreamReader(text, StandardCharsets.UTF_8)), 1 << 16);
            long headerChars = 0;
            while ((line = reader.readLine()) != null && line.startsWith("#")) {
                headerChars += line.length() + 1;
                if (headerChars > MAX_HEADER_CHARS) throw new InOurWords("its header is longer than " + (MAX_HEADER_CHARS >> 20) + " MiB");
                headerLines.add(line);
            }
        } catch (InOurWords | LineLimit.TooLong ours) {
            throw ours;
        } catch (IOException | htsjdk.samtools.SAMException e) {
            // A gzip or BGZF stream cut or corrupt within the header: the readers' own words name their library ("ZLIB", a
            // block's length); they stay with the cause, in the log, as for a cut after the header (submitChunk).
            throw new IOException("it cannot be read: the upload ended early or its compressed data is corrupt", e);
        }
        VCFHeader header = readHeader(headerLines).getHeader();
        VcfRecords records = new VcfRecords(reader, headerLines, header, headerLines.size());
        records.firstRecord = line;
        return records;
    }

    /** A refusal of the file's header in the platform's words (the readers' own are replaced). */
    private static final class InOurWords extends IOException {
        InOurWords(String message) {
            super(message);
        }
    }

    private static VCFCodec readHeader(List<String> headerLines) {
        VCFCodec codec = new VCFCodec();
        codec.readActualHeader(new LineIteratorImpl(new SynchronousLineReader(new StringReader(String.join("\n", headerLines)))));
        return codec;
    }

    /** Starts {@code threads} workers making records into what {@code parser} builds. */
    void parseWith(Parser<?> parser, int threads) {
        this.parser = parser;
        this.threads = threads;
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vcf-parser");
            t.setDaemon(true);
            return t;
        });
    }

    /** The next chunk's records in file order, or null at the end; a record's error is thrown when its chunk's turn comes. */
    @SuppressWarnings("unchecked")
    <T> List<Parsed<T>> next() throws InterruptedException {
        while (!exhausted && inFlight.size() < 2 * threads) submitChunk();
        Future<List<Parsed<Object>>> head = inFlight.poll();
        if (head == null) return null;
        try {
            return (List<Parsed<T>>) (List<?>) head.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    private void submitChunk() {
        List<String> lines = new ArrayList<>(CHUNK);
        long firstLine = lineNo + 1;
        long[] lineNos = new long[CHUNK];
        long firstSeq = seq + 1;
        try {
            String line = null;
            long chars = 0;
            while (lines.size() < CHUNK && chars < MAX_CHUNK_CHARS && (line = nextLine()) != null) {
                lineNo++;
                if (line.isEmpty() || line.startsWith("#")) continue;
                lineNos[lines.size()] = lineNo;
                lines.add(line);
                chars += line.length();
            }
            if (line == null) exhausted = true;
        } catch (LineLimit.TooLong e) {
            throw new IllegalArgumentException("line " + (lineNo + 1) + " of the VCF is longer than " + (MAX_LINE_CHARS >> 20) + " MiB", e);
        } catch (IOException | RuntimeException e) {
            // A truncated or corrupt gzip stream: the client's file, so the client's error. The reader's own words name
            // its library ("ZLIB"); they stay with the cause, in the log.
            throw new IllegalArgumentException("the VCF cannot be read after line " + (firstLine - 1)
                    + ": the upload ended early or its compressed data is corrupt", e);
        }
        if (lines.isEmpty()) return;
        seq += lines.size();
        inFlight.add(workers.submit(() -> parse(lines, lineNos, firstSeq)));
    }

    /** Refuses a line longer than {@link #MAX_LINE_CHARS} as its characters arrive (a line reader would take it whole first). */
    static final class LineLimit extends java.io.FilterReader {
        private int sinceBreak;

        LineLimit(java.io.Reader in) {
            super(in);
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            for (int i = offset; i < offset + n; i++) {
                if (buffer[i] == '\n') {
                    sinceBreak = 0;
                } else if (++sinceBreak > MAX_LINE_CHARS) {
                    throw new TooLong();
                }
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            char[] one = new char[1];
            return read(one, 0, 1) == -1 ? -1 : one[0];
        }

        static final class TooLong extends IOException {
            TooLong() {
                super("a line is longer than " + (MAX_LINE_CHARS >> 20) + " MiB");
            }
        }
    }

    private VCFCodec newCodec() {
        return readHeader(headerLines);
    }

    private String nextLine() throws IOException {
        if (firstRecord != null) {
            String line = firstRecord;
            firstRecord = null;
            return line;
        }
        return reader.readLine();
    }

    /** On a worker: the codec of its thread (the workers are this import's), each line decoded and handed to the parser. */
    private List<Parsed<Object>> parse(List<String> lines, long[] lineNos, long firstSeq) {
        VCFCodec codec = codecs.get();
        List<Parsed<Object>> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            VariantContext vc;
            try {
                vc = codec.decode(lines.get(i));
            } catch (TribbleException | IllegalArgumentException | IllegalStateException e) {
                throw new IllegalArgumentException("malformed VCF: " + atLine(e.getMessage(), lineNos[i]), e);
            }
            if (vc == null) continue;
            long recordSeq = firstSeq + i;
            out.add(new Parsed<>(vc.getContig(), vc.getStart(), recordSeq, parser.parse(vc, recordSeq)));
        }
        return out;
    }

    /** htsjdk's message with the line's number in the whole file (a worker's codec counts only what it read). */
    static String atLine(String message, long lineNo) {
        String m = inOwnWords(message);
        Matcher matcher = HTSJDK_LINE.matcher(m);
        return matcher.find() ? matcher.replaceFirst(Matcher.quoteReplacement("line number " + lineNo)) : m + " (line number " + lineNo + ")";
    }

    private static final java.util.regex.Pattern NOT_A_NUMBER = java.util.regex.Pattern.compile("For input string: \"([^\"]{0,40})[^\"]*\"");
    private static final java.util.regex.Pattern CLASS_NAME = java.util.regex.Pattern.compile("\\b(?:java|javax|htsjdk|sun)\\.[\\w.$]+");
    private static final java.util.regex.Pattern HEADER_LINE_CLASS = java.util.regex.Pattern.compile("\\bVCF[A-Z]?\\w*HeaderLine\\b");
    private static final java.util.regex.Pattern HEADER_CLASS = java.util.regex.Pattern.compile("\\bVCFHeader\\w*\\b");
    private static final java.util.regex.Pattern RECORD_CLASS = java.util.regex.Pattern.compile("\\b(?:VariantContext\\w*|GenotypesContext|GenotypeBuilder)\\b");
    private static final java.util.regex.Pattern OTHER_CLASS = java.util.regex.Pattern.compile("\\b(?:VCF[A-Z]\\w*|Tribble\\w*|AbstractVCF\\w*)\\b");

    /**
     * A parser's message as the platform says it: the JDK's words for a number that is not one ({@code For input string:
     * "abc"}) said plainly, the parser's dump of a header line's fields ({@code key=INFO name=AN lineType=INFO count=0})
     * and any class name left out, at most 300 characters.
     */
    static String inOwnWords(String message) {
        if (message == null || message.isBlank()) return "unreadable";
        String m = NOT_A_NUMBER.matcher(message).replaceAll(r -> Matcher.quoteReplacement("\"" + r.group(1) + "\" is not a number"));
        int dump = m.indexOf(" key=");
        if (dump > 0) m = m.substring(0, dump);
        m = CLASS_NAME.matcher(m).replaceAll("");
        // htsjdk also names its classes without their package ("VCFHeaderLine: key cannot contain angle brackets",
        // "Duplicate allele added to VariantContext: G"): said in the file's terms.
        m = HEADER_LINE_CLASS.matcher(m).replaceAll("header line");
        m = HEADER_CLASS.matcher(m).replaceAll("the header");
        m = RECORD_CLASS.matcher(m).replaceAll("the record");
        m = OTHER_CLASS.matcher(m).replaceAll("the VCF").strip();
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    @Override
    public void close() {
        if (workers != null) workers.shutdownNow();
        try {
            reader.close();
        } catch (IOException ignored) {
            // the request's body: nothing to keep
        }
    }
}
