package io.omix.server.system;

/**
 * The API reference, rendered in the browser from {@code /openapi.json} by a few lines of script
 * served with it (no CDN, nothing fetched from elsewhere): every endpoint grouped by API, who may
 * call it, its parameters with their rules, the codes it can answer.
 */
final class ApiReferencePage {
    private ApiReferencePage() {}

    /** Only this page's own script and style run: by their hashes, so nothing injected could. */
    static String contentSecurityPolicy() {
        return "default-src 'none'; connect-src 'self'; script-src '" + hash("<script>", "</script>") + "'; style-src '"
                + hash("<style>", "</style>") + "'; frame-ancestors 'none'; base-uri 'none'";
    }

    private static String hash(String open, String close) {
        int from = HTML.indexOf(open) + open.length();
        String inline = HTML.substring(from, HTML.indexOf(close, from));
        return "sha256-" + java.util.Base64.getEncoder().encodeToString(io.omix.server.common.auth.Secrets.sha256(
                inline.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    static final String HTML = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Omix API reference</title>
            <style>
            body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:1rem;color:#1b1f24}
            h1{font-size:1.5rem} h2{margin-top:2rem;border-bottom:1px solid #ddd} code{background:#f3f4f6;padding:0 .2rem;border-radius:3px}
            details{border:1px solid #e5e7eb;border-radius:6px;margin:.4rem 0;padding:.3rem .6rem} summary{cursor:pointer}
            .m{display:inline-block;min-width:4.2rem;font-weight:600} table{border-collapse:collapse;width:100%;margin:.4rem 0}
            td,th{border-bottom:1px solid #eee;padding:.2rem .4rem;text-align:left;vertical-align:top;font-size:14px} .muted{color:#6b7280}
            </style></head>
            <body><h1>Omix API reference</h1>
            <p class="muted">Drawn from the server's own route table: <a href="/openapi.json">openapi.json</a> (OpenAPI 3.1). Error codes: the table at the end.</p>
            <div id="out">Loading...</div>
            <script>
            const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
            fetch('/openapi.json').then(r => r.json()).then(doc => {
              const groups = {};
              for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
                (groups[op.tags[0]] ??= []).push({path, method: method.toUpperCase(), op});
              }
              let html = '';
              for (const tag of doc.tags) {
                const ops = groups[tag.name]; if (!ops) continue;
                html += `<h2>${esc(tag.name)}</h2><p class="muted">${esc(tag.description)}</p>`;
                for (const {path, method, op} of ops) {
                  const who = (op.security || []).map(s => Object.keys(s).join(' + ')).join(' or ') || 'anyone';
                  const params = [...(op.parameters || []).map(p => [p.name, p.in, p.required, p.description])];
                  const body = op.requestBody?.content?.['application/json']?.schema;
                  if (body?.properties) for (const [n, s] of Object.entries(body.properties)) params.push([n, 'body', (body.required || []).includes(n), s.description]);
                  html += `<details><summary><span class="m">${method}</span><code>${esc(path)}</code> <span class="muted">${esc(who)}</span></summary>`
                    + (params.length ? '<table><tr><th>parameter</th><th>in</th><th>required</th><th>rule</th></tr>'
                      + params.map(p => `<tr><td><code>${esc(p[0])}</code></td><td>${esc(p[1])}</td><td>${p[2] ? 'yes' : ''}</td><td>${esc(p[3])}</td></tr>`).join('') + '</table>' : '')
                    + ((op['x-omix-error-codes'] || []).length ? `<p class="muted">codes: ${op['x-omix-error-codes'].join(', ')}</p>` : '') + '</details>';
                }
              }
              html += '<h2>Error codes</h2><table><tr><th>code</th><th>msg</th><th>meaning</th></tr>'
                + doc['x-omix-error-codes'].map(c => `<tr><td>${c.code}</td><td>${esc(c.msg)}</td><td>${esc(c.meaning)}</td></tr>`).join('') + '</table>';
              document.getElementById('out').innerHTML = html;
            }).catch(e => { document.getElementById('out').textContent = 'The document could not be loaded: ' + e; });
            </script></body></html>
            """;
}
