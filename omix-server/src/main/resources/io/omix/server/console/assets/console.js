// Omix console: every page's data comes from the platform's public API, called with the browser
// session and its CSRF header; the server applies the same rules as for any token. Text goes into
// the page through textContent only, never as HTML.
(function () {
  'use strict';
  var T = JSON.parse(document.getElementById('omix-messages').textContent);
  var csrfMeta = document.querySelector('meta[name="omix-csrf"]');
  var CSRF = csrfMeta ? csrfMeta.content : null;

  function t(key) { return T[key] || key; }
  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'on') Object.keys(attrs.on).forEach(function (ev) { e.addEventListener(ev, attrs.on[ev]); });
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    });
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }

  /** Calls the API; resolves with the envelope's data (or the whole body of the dataset API), rejects with a message. */
  function api(method, path, params, body, raw) {
    var url = path;
    if (params) {
      var q = Object.keys(params).filter(function (k) { return params[k] !== null && params[k] !== undefined && params[k] !== ''; })
        .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); }).join('&');
      if (q) url += (url.indexOf('?') < 0 ? '?' : '&') + q;
    }
    var init = { method: method, credentials: 'same-origin', headers: { 'X-Omix-CSRF': CSRF, 'Accept': 'application/json' } };
    if (body !== undefined && body !== null) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) {
        if (raw) {
          if (!res.ok) throw new Error(json.detail || ('HTTP ' + res.status));
          return json;
        }
        if (json.code !== 0) throw new Error((json.msg || ('HTTP ' + res.status)) + (json.data ? ' ' + JSON.stringify(json.data) : ''));
        return json;
      });
    });
  }
  function data(method, path, params, body) { return api(method, path, params, body).then(function (j) { return j.data; }); }

  /** A table with a header row; cells are strings, numbers or nodes. */
  function table(columns, rows, id) {
    if (!rows.length) return el('p', { 'class': 'empty', id: id || null, text: t('none') });
    var head = el('tr', null, columns.map(function (c) { return el('th', { scope: 'col', text: t(c) }); }));
    var body = rows.map(function (r) {
      return el('tr', null, r.map(function (cell) {
        if (cell instanceof Node) return el('td', null, [cell]);
        return el('td', { text: cell === null || cell === undefined ? '' : String(cell) });
      }));
    });
    return el('table', { id: id || null }, [el('thead', null, [head]), el('tbody', null, body)]);
  }
  function show(container, node) {
    container.textContent = '';
    container.appendChild(node);
  }
  function fail(container) {
    return function (e) { show(container, el('p', { 'class': 'error', role: 'alert', text: t('failed') + ' ' + e.message })); };
  }
  function formValues(form) {
    var out = {};
    new FormData(form).forEach(function (v, k) { out[k] = v; });
    return out;
  }
  function bytes(n) {
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + ' ' + units[i];
  }
  function chartWidth(container) { return Math.max(280, container.clientWidth || 600); }

  // ---- user pages

  /** A coded value (status, omic) in the page's language; the API's own display when the page has no word for it. */
  function coded(prefix, v) {
    if (!v) return '';
    var key = prefix + '_' + v.code;
    return T[key] || v.display;
  }

  function samplesPage() {
    var box = $('samples'), more = $('samples-more'), rows = [], page = 1;
    function load() {
      data('GET', '/samples', { page: page, limit: 50 }).then(function (d) {
        d.result.forEach(function (s) {
          rows.push([el('a', { href: '/console/samples/' + s.biosample_id, text: s.biosample_id }), s.external_sample_id,
            coded('omic', s.omic), coded('status', s.status), s.update_time]);
        });
        show(box, table(['col_biosample', 'col_external', 'col_omic', 'col_status', 'col_created'], rows, 'samples-table'));
        more.hidden = !d.next_page;
        page = d.next_page;
      }).catch(fail(box));
    }
    more.addEventListener('click', load);
    load();
  }

  function samplePage() {
    var id = $('biosample-id').dataset.biosample;
    data('GET', '/samples/' + id).then(function (s) {
      var dl = $('sample-details');
      // Only what the sample's kind of data offers: calls for genomics, abundances for metagenomics.
      var genomics = s.omic && s.omic.code === 1, metagenomics = s.omic && s.omic.code === 2;
      $('variants-h').parentNode.hidden = !genomics;
      $('taxa-h').parentNode.hidden = !metagenomics;
      $('func-h').parentNode.hidden = !metagenomics;
      if (metagenomics) taxa(id);
      [['col_external', s.external_sample_id], ['col_omic', coded('omic', s.omic)], ['col_status', coded('status', s.status)],
        ['sample', s.biosample_site && s.biosample_site.display], ['col_created', s.update_time]].forEach(function (p) {
        dl.appendChild(el('dt', { text: t(p[0]) }));
        dl.appendChild(el('dd', { text: p[1] === null || p[1] === undefined ? '' : String(p[1]) }));
      });
    }).catch(fail($('sample-details')));

    $('variants-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var box = $('variants');
      var rsids = $('rsids').value.split(/[\s,]+/).filter(Boolean).join(',');
      data('GET', '/variants', { biosample_id: id, rsids: rsids }).then(function (list) {
        show(box, table(['col_rsid', 'col_genotype', 'col_chromosome', 'col_position', 'col_ref', 'col_alt', 'col_gene'], list.map(function (v) {
          var call = v.variant;
          var genes = (v.genomic_context && v.genomic_context.gene || []).map(function (g) { return g.symbol; }).join(', ');
          return [v.alternate_id.join(', '), call ? call.genotype : t('not_assayed'), call ? call.chromosome : '', call ? call.position : '',
            call ? call.reference_base : '', call ? (call.alternate_base || []).join(',') : '', genes];
        }), 'variants-table'));
      }).catch(fail(box));
    });

    $('func-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var box = $('func');
      data('GET', '/microbiome/func_abundance', { biosample_id: id, catalog: $('catalog').value, limit: 100 }).then(function (d) {
        show(box, table(['col_id', 'col_name', 'col_abundance'], d.result.map(function (f) {
          return [f.coding.id, f.coding.display, f.observation.value];
        }), 'func-table'));
      }).catch(fail(box));
    });
  }

  /** Every taxon of the sample (all pages), drawn against the cohort's quantile bands. */
  function taxa(id) {
    var chartBox = $('taxa-chart'), tableBox = $('taxa-table'), all = [];
    function page(n) {
      return api('GET', '/microbiome/taxon_abundance', { biosample_id: id, page: n, limit: 100 }).then(function (j) {
        all = all.concat(j.data);
        if (j.pagination && j.pagination.next_page) return page(j.pagination.next_page);
        return all;
      });
    }
    page(1).then(function (list) {
      show(tableBox, table(['col_taxon', 'col_rank', 'col_abundance', 'col_median'], list.map(function (x) {
        return [x.taxonomy.taxon_name, x.taxonomy.rank, x.observation.value, x.background ? x.background.background['50%'] : ''];
      }), 'taxa-rows'));
      var ranks = [];
      list.forEach(function (x) { if (ranks.indexOf(x.taxonomy.rank) < 0) ranks.push(x.taxonomy.rank); });
      var rankSelect = $('taxa-rank');
      ranks.forEach(function (r) { rankSelect.appendChild(el('option', { value: r, text: r })); });
      rankSelect.value = ranks.indexOf('species') >= 0 ? 'species' : ranks[ranks.length - 1];
      rankSelect.addEventListener('change', function () { draw(list, rankSelect.value); });
      draw(list, rankSelect.value);
    }).catch(fail(chartBox));

    /** One point per taxon of the rank: this sample's abundance over the cohort's quantile bands. */
    function draw(list, rank) {
      var rows = list.filter(function (x) { return x.taxonomy.rank === rank; });
      chartBox.textContent = '';
      if (!rows.length) { chartBox.dataset.points = '0'; chartBox.appendChild(el('p', { 'class': 'empty', text: t('none') })); return; }
      var xs = rows.map(function (_, i) { return i; });
      function q(k) { return rows.map(function (x) { return x.background ? x.background.background[k] : null; }); }
      var names = rows.map(function (x) { return x.taxonomy.taxon_name.replace(/^.*\|/, '').replace(/^[a-z]__/, '').replace(/_/g, ' '); });
      var opts = {
        width: chartWidth(chartBox), height: 360,
        scales: { x: { time: false, range: [-0.5, rows.length - 0.5] } },
        axes: [{ values: function (u, ticks) { return ticks.map(function (i) { return Number.isInteger(i) ? (names[i] || '') : ''; }); },
          rotate: -35, size: 110, space: 30, incrs: [1] },
          { label: t('col_abundance') + ' (%)' }],
        series: [{ label: t('col_taxon'), value: function (u, i) { return i === null ? '' : names[i]; } },
          { label: '95%', stroke: 'rgba(9,105,218,.35)' }, { label: '5%', stroke: 'rgba(9,105,218,.35)' },
          { label: '75%', stroke: 'rgba(9,105,218,.6)' }, { label: '25%', stroke: 'rgba(9,105,218,.6)' },
          { label: t('col_median'), stroke: '#0969da', dash: [4, 4] },
          { label: t('col_abundance'), stroke: '#cf222e', width: 0, points: { show: true, size: 9, fill: '#cf222e' } }],
        bands: [{ series: [1, 2], fill: 'rgba(9,105,218,.10)' }, { series: [3, 4], fill: 'rgba(9,105,218,.22)' }]
      };
      var plot = new uPlot(opts, [xs, q('95%'), q('5%'), q('75%'), q('25%'), q('50%'), rows.map(function (x) { return x.observation.value; })], chartBox);
      chartBox.dataset.points = String(plot.data[6].length);
    }
  }

  function streamsPage() {
    var sel = $('stream-sample'), status = $('stream-status'), chartBox = $('stream-chart'), tableBox = $('stream-table');
    data('GET', '/samples', { limit: 100 }).then(function (d) {
      d.result.forEach(function (s) { sel.appendChild(el('option', { value: s.biosample_id, text: s.biosample_id + ' · ' + s.external_sample_id })); });
    }).catch(fail(status));
    $('streams-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = formValues(ev.target), records = [];
      status.textContent = t('working');
      function page(next) {
        return data('GET', '/stream/range', { biosample_id: f.biosample_id, data_element_id: f.data_element_id, start_time: f.start,
          end_time: f.end, sort_direction: 'asc', limit: 100, next_page: next }).then(function (d) {
          records = records.concat(d.result);
          status.textContent = t('working') + ' ' + records.length;
          if (d.next_page && records.length < 100000) return page(d.next_page);
          return records;
        });
      }
      page(null).then(function (list) {
        var points = list.map(function (r) {
          var v = r.stream_data && r.stream_data.value_quantity ? Number(r.stream_data.value_quantity.value) : NaN;
          return [Date.parse(r.stream_generate_time.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) / 1000, v, r];
        }).filter(function (p) { return !isNaN(p[0]) && !isNaN(p[1]); });
        status.textContent = points.length ? points.length + ' ' + t('points') : t('no_data');
        chartBox.dataset.points = String(points.length);
        show(tableBox, table(['col_time', 'col_value'], list.map(function (r) {
          return [r.stream_generate_time, r.stream_data && r.stream_data.value_quantity ? r.stream_data.value_quantity.value + ' ' + (r.stream_data.value_quantity.unit || '') : JSON.stringify(r.stream_data)];
        }), 'stream-rows'));
        chartBox.textContent = '';
        if (!points.length) return;
        var label = $('stream-element').selectedOptions[0].textContent;
        // uPlot zooms on a drag across the plot and resets on a double-click.
        new uPlot({ width: chartWidth(chartBox), height: 320, cursor: { drag: { x: true, y: false } },
          // The visible time range, for people (the table below) and tests alike.
          hooks: { setScale: [function (u, key) {
            if (key === 'x') chartBox.dataset.visible = String(points.filter(function (p) { return p[0] >= u.scales.x.min && p[0] <= u.scales.x.max; }).length);
          }] },
          series: [{}, { label: label, stroke: '#0969da', width: 1.5, points: { show: points.length < 400 } }] },
        [points.map(function (p) { return p[0]; }), points.map(function (p) { return p[1]; })], chartBox);
      }).catch(fail(status));
    });
  }

  function filesPage() {
    var box = $('files');
    data('GET', '/oss/objects').then(function (d) {
      show(box, table(['col_name', 'col_size', 'col_sha256', 'col_created', 'col_actions'], d.objects.map(function (o) {
        var button = el('button', { type: 'button', 'class': 'secondary', text: t('download'), 'aria-label': t('download') + ' ' + o.object_name });
        var cell = el('span', { 'class': 'buttons' }, [button]);
        // Signed only when asked for: the link works for 15 minutes, for whoever holds it.
        button.addEventListener('click', function () {
          data('POST', '/oss/sign_url', null, { object_name: o.object_name, expiration: 900 }).then(function (s) {
            var old = cell.querySelector('a.signed');
            if (old) old.remove();
            var link = el('a', { 'class': 'signed', href: s.url, download: o.object_name.replace(/^.*\//, ''), text: o.object_name.replace(/^.*\//, '') });
            cell.appendChild(link);
            link.click();
          }).catch(fail(box));
        });
        return [o.object_name.replace(/^.*\//, ''), bytes(o.size), el('code', { text: o.sha256.slice(0, 16) + '…', title: o.sha256 }), o.created_at, cell];
      }), 'files-table'));
    }).catch(fail(box));
  }

  function fmt(template, args) {
    return template.replace(/\{(\d)\}/g, function (_, i) { return String(args[+i]); });
  }

  /** Connected apps: what the person allowed, and Revoke (every credential of that app stops at once). */
  function connectedPage() {
    var box = $('connected');
    function load() {
      data('GET', '/user/grants').then(function (d) {
        show(box, table(['col_app', 'col_scopes', 'col_granted', 'col_last_used', 'col_actions'], d.grants.map(function (g) {
          var button = el('button', { type: 'button', 'class': 'danger', text: t('revoke'), 'aria-label': t('revoke') + ' ' + g.client_name });
          button.addEventListener('click', function () {
            if (!window.confirm(fmt(t('revoke_confirm'), [g.client_name]))) return;
            button.disabled = true;
            data('DELETE', '/user/grants/' + encodeURIComponent(g.client_id)).then(load).catch(fail(box));
          });
          return [g.client_name, g.scope, g.granted_at, g.last_used_at || t('never'), button];
        }), 'connected-table'));
      }).catch(fail(box));
    }
    load();
    beaconChoice();
  }

  /** The person's objection to the Beacon: their samples out of its answers to others, whatever is published. */
  function beaconChoice() {
    var choice = $('beacon-opt-out'), status = $('beacon-status');
    if (!choice) return;
    function shown(d) {
      choice.checked = d.beacon_opt_out;
      choice.disabled = false;
      status.textContent = t(d.beacon_opt_out ? 'beacon_out' : 'beacon_in');
    }
    data('GET', '/user/beacon').then(shown).catch(fail(status));
    choice.addEventListener('change', function () {
      choice.disabled = true;
      data('POST', '/user/beacon', null, { opt_out: choice.checked }).then(shown).catch(function (e) {
        choice.checked = !choice.checked; // not saved: show what still holds, and let the person try again
        choice.disabled = false;
        fail(status)(e);
      });
    });
  }

  /** The person's archive: queued as a task, watched until it is built, then a signed link. */
  function exportSection() {
    var button = $('export-button'), status = $('export-status');
    if (!button) return;
    button.addEventListener('click', function () {
      button.disabled = true;
      status.textContent = fmt(t('export_working'), [0]);
      function watch(task) {
        if (task.progress === 'SUCCESS') {
          var r = task.result;
          status.textContent = fmt(t('export_ready'), [bytes(r.size)]) + ' ';
          status.appendChild(el('a', { id: 'export-link', href: r.url, download: r.object_name.replace(/^.*\//, ''), text: t('export_download') }));
          button.disabled = false;
          return;
        }
        if (task.progress === 'FAILURE' || task.progress === 'REVOKED') {
          status.textContent = t('export_failed') + ' ' + ((task.result && task.result.error) || task.progress);
          button.disabled = false;
          return;
        }
        setTimeout(function () {
          data('GET', '/task/' + encodeURIComponent(task.task_id)).then(function (next) {
            status.textContent = fmt(t('export_working'), [next.progress === 'STARTED' ? 50 : 0]);
            watch(next);
          }).catch(function (e) { status.textContent = t('export_failed') + ' ' + e.message; button.disabled = false; });
        }, 1000);
      }
      data('POST', '/user/export').then(watch).catch(function (e) { status.textContent = t('export_failed') + ' ' + e.message; button.disabled = false; });
    });
  }

  /** Who used my data: per application, what it did and when. */
  function usagePage() {
    exportSection();
    var box = $('usage');
    data('GET', '/audit/mine', { limit: 500 }).then(function (d) {
      if (!d.entries.length) { show(box, el('p', { 'class': 'empty', text: t('none') })); return; }
      var byApp = {};
      var order = [];
      d.entries.forEach(function (e) {
        var who = e.actor_name || (e.actor_kind === 'signed_link' ? t('usage_signed_link') : e.actor_id || e.actor_kind);
        if (!byApp[who]) { byApp[who] = []; order.push(who); }
        byApp[who].push(e);
      });
      var sections = order.map(function (who) {
        return el('section', { 'class': 'usage-app' }, [el('h2', { text: who }),
          table(['col_time', 'col_operation', 'col_resources', 'col_records', 'col_outcome'], byApp[who].map(function (e) {
            return [e.at, e.operation, e.resources || '', e.records === null ? '' : e.records, e.outcome];
          }))]);
      });
      show(box, el('div', null, sections));
    }).catch(fail(box));
  }

  // ---- operator pages

  function auditPage() {
    var box = $('audit'), form = $('audit-filter'), verdict = $('audit-verdict');
    function load() {
      data('GET', '/admin/audit', { user_id: form.user_id.value, client_id: form.client_id.value, operation: form.operation.value, limit: 500 })
        .then(function (d) {
          show(box, table(['col_id', 'col_time', 'col_actor', 'col_credential', 'col_operation', 'col_resources', 'col_records', 'col_source', 'col_outcome'],
            d.entries.map(function (e) {
              return [e.seq, e.at, e.actor_kind + ' ' + (e.actor_id || '') + (e.user_id ? ' → ' + e.user_id : ''), e.credential, e.operation,
                e.resources || '', e.records === null ? '' : e.records, e.source || '', e.outcome];
            }), 'audit-table'));
        }).catch(fail(box));
    }
    form.addEventListener('submit', function (ev) { ev.preventDefault(); load(); });
    $('audit-verify').addEventListener('click', function () {
      data('GET', '/admin/audit/verify').then(function (v) {
        verdict.textContent = v.intact ? fmt(t('audit_intact'), [v.checked]) : fmt(t('audit_broken'), [v.first_broken_seq, v.reason]);
        verdict.className = v.intact ? 'ok' : 'error';
      }).catch(fail(verdict));
    });
    load();
  }

  function appsPage() {
    var box = $('apps'), secretBox = $('secret-box');
    function secret(c) {
      secretBox.hidden = false;
      secretBox.textContent = t('secret_once') + ' ';
      secretBox.appendChild(el('code', { id: 'new-secret', text: c.client_id + ' / ' + c.client_secret }));
    }
    function load() {
      data('GET', '/admin/clients').then(function (d) {
        show(box, table(['col_name', 'col_id', 'col_redirects', 'col_scopes', 'col_grants', 'col_status', 'col_actions'], d.clients.map(function (c) {
          var toggle = el('button', { type: 'button', 'class': 'secondary', text: c.disabled ? t('enable') : t('disable') });
          toggle.addEventListener('click', function () {
            data('POST', '/admin/clients/' + c.client_id, null, { disabled: !c.disabled }).then(load).catch(fail(box));
          });
          var rotate = el('button', { type: 'button', 'class': 'secondary', text: t('rotate'), disabled: c['public'] });
          rotate.addEventListener('click', function () {
            data('POST', '/admin/clients/' + c.client_id + '/secret').then(secret).catch(fail(box));
          });
          var edit = el('button', { type: 'button', 'class': 'secondary', text: t('edit') });
          edit.addEventListener('click', function () {
            var uris = window.prompt(t('col_redirects'), c.redirect_uris.join(' '));
            if (uris === null) return;
            var scopes = window.prompt(t('col_scopes'), c.scopes.join(' '));
            if (scopes === null) return;
            data('POST', '/admin/clients/' + c.client_id, null, { redirect_uris: uris.split(/\s+/).filter(Boolean), scopes: scopes.split(/\s+/).filter(Boolean) })
              .then(load).catch(fail(box));
          });
          return [c.name, el('code', { text: c.client_id }), c.redirect_uris.join('\n'), c.scopes.join(' '), c.grant_types.join(', '),
            c.disabled ? t('disabled') : t('active'), el('span', { 'class': 'buttons' }, [toggle, rotate, edit])];
        }), 'apps-table'));
      }).catch(fail(box));
    }
    $('app-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var form = ev.target;
      var grants = Array.prototype.map.call(form.querySelectorAll('input[name=grant]:checked'), function (c) { return c.value; });
      data('POST', '/admin/clients', null, { name: form.name.value, redirect_uris: form.redirect_uris.value.split(/\s+/).filter(Boolean),
        scopes: form.scopes.value.split(/[\s,]+/).filter(Boolean), grant_types: grants, 'public': form.querySelector('input[name=public]').checked })
        .then(function (c) { if (c.client_secret) secret(c); form.reset(); load(); }).catch(fail(secretBox.hidden ? box : secretBox));
    });
    load();
  }

  function usersPage() {
    var box = $('users');
    function load() {
      data('GET', '/admin/users').then(function (d) {
        show(box, table(['username', 'col_name', 'role', 'col_status', 'col_actions'], d.users.map(function (u) {
          var toggle = el('button', { type: 'button', 'class': 'secondary', text: u.disabled ? t('enable') : t('disable') });
          toggle.addEventListener('click', function () {
            data('POST', '/admin/users/' + encodeURIComponent(u.username), null, { disabled: !u.disabled }).then(load).catch(fail(box));
          });
          return [u.username, u.nickname, u.operator ? t('operator') : '', u.disabled ? t('disabled') : t('active'), toggle];
        }), 'users-table'));
      }).catch(fail(box));
    }
    $('user-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = ev.target;
      data('POST', '/admin/users', null, { username: f.username.value, password: f.password.value, operator: f.operator.checked })
        .then(function () { f.reset(); load(); }).catch(fail(box));
    });
    load();
  }

  function bindingPage() {
    var box = $('all-samples');
    function load() {
      data('GET', '/admin/samples').then(function (d) {
        show(box, table(['col_biosample', 'col_external', 'col_omic', 'col_status', 'col_users'], d.samples.map(function (s) {
          return [s.biosample_id, s.external_sample_id, s.omic, s.status, s.users.join(', ')];
        }), 'all-samples-table'));
      }).catch(fail(box));
    }
    $('bind-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = ev.target;
      data('POST', '/admin/samples/bind', null, { biosample_id: f.biosample_id.value, username: f.username.value, unbind: f.unbind.checked })
        .then(load).catch(fail(box));
    });
    load();
  }

  function importsPage() {
    var bar = $('import-progress'), status = $('import-status');
    $('import-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = ev.target, file = f.file.files[0];
      if (!file) return;
      var kind = f.kind.value;
      var q = 'biosample_id=' + encodeURIComponent(f.biosample_id.value);
      var path = '/admin/variants/import?' + q;
      if (kind !== 'vcf') {
        path = '/admin/microbiome/import?' + q + '&kind=' + kind + (f.catalog.value ? '&catalog=' + encodeURIComponent(f.catalog.value) : '');
      }
      // XMLHttpRequest: fetch has no upload progress events.
      var xhr = new XMLHttpRequest();
      xhr.open('POST', path);
      xhr.setRequestHeader('X-Omix-CSRF', CSRF);
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) bar.value = Math.round(99 * e.loaded / e.total);
        status.textContent = t('working') + ' ' + bytes(e.loaded) + ' / ' + bytes(e.total);
      };
      // Sent: the server parses and stores the file before it answers.
      xhr.upload.onload = function () { status.textContent = t('importing'); };
      xhr.onload = function () {
        var j = {};
        try { j = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (j.code === 0) {
          bar.value = 100;
          status.textContent = t('done') + ' ' + JSON.stringify(j.data);
        } else {
          status.textContent = t('failed') + ' ' + (j.msg || xhr.status) + (j.data ? ' ' + JSON.stringify(j.data) : '');
        }
      };
      xhr.onerror = function () { status.textContent = t('failed') + ' network'; };
      status.textContent = t('working');
      xhr.send(file);
    });
  }

  function tasksPage() {
    var box = $('tasks');
    function load() {
      data('GET', '/admin/tasks').then(function (d) {
        show(box, table(['col_id', 'col_kind', 'col_state', 'col_progress', 'col_owner', 'col_created'], d.tasks.map(function (x) {
          return [x.id, x.kind, x.state, el('progress', { max: 100, value: x.progress, 'aria-label': x.progress + '%' }), x.owner, x.created_at];
        }), 'tasks-table'));
      }).catch(fail(box));
    }
    load();
    setInterval(load, 3000);
  }

  function datasetsPage() {
    var select = $('dataset'), batchBox = $('batches'), rowBox = $('rows'), status = $('batch-status'), datasets = [];
    function base() {
      var d = datasets[select.selectedIndex];
      return '/api/v2/workspaces/' + d.workspace_id + '/projects/' + d.project_id + '/datasets/' + d.dataset_id;
    }
    function load() {
      api('GET', base() + '/batches', { fields: '__standard', limit: 100 }, null, true).then(function (j) {
        show(batchBox, table(['col_select', 'col_id', 'col_name', 'col_state', 'col_rows', 'col_created'], j.batches.map(function (b) {
          return [el('input', { type: 'checkbox', 'class': 'batch', value: b.id, 'aria-label': b.name }), b.id, b.name, b.state, b.row_count, b.created_at];
        }), 'batches-table'));
      }).catch(fail(batchBox));
      api('GET', base() + '/data', { limit: 100 }, null, true).then(function (j) {
        $('row-count').textContent = '(' + j.data.length + ')';
        show(rowBox, table(j.columns.map(function (c) { return c.c_name; }), j.data.map(function (r) {
          return j.columns.map(function (c) { return r[c.c_id]; });
        }), 'rows-table'));
      }).catch(fail(rowBox));
    }
    function change(op) {
      var ids = Array.prototype.map.call(batchBox.querySelectorAll('input.batch:checked'), function (c) { return Number(c.value); });
      if (!ids.length) { status.textContent = t('select_batches'); return; }
      var value = {};
      value[op] = ids;
      status.textContent = t('working');
      api('PATCH', base() + '/batches', null, { patch: { op: 'replace', path: 'batches', value: value } }, true).then(function (j) {
        return waitJob(j.job_id !== undefined ? j.job_id : (j.job && j.job.id));
      }).then(function () { status.textContent = t('done'); load(); }).catch(function (e) { status.textContent = t('failed') + ' ' + e.message; });
    }
    function waitJob(id) {
      return api('GET', '/api/v2/jobs/' + id, null, null, true).then(function (j) {
        var s = j.job.status;
        if (s === 'success') return j;
        if (s === 'failure' || s === 'error') throw new Error(JSON.stringify(j.job.response));
        return new Promise(function (r) { setTimeout(r, 300); }).then(function () { return waitJob(id); });
      });
    }
    $('suspend').addEventListener('click', function () { change('suspend'); });
    $('restore').addEventListener('click', function () { change('restore'); });
    select.addEventListener('change', load);
    data('GET', '/admin/datasets').then(function (d) {
      datasets = d.datasets;
      d.datasets.forEach(function (x) { select.appendChild(el('option', { value: x.dataset_id, text: x.name + ' (#' + x.dataset_id + ')' })); });
      if (datasets.length) load();
      else show(batchBox, el('p', { 'class': 'empty', text: t('none') }));
    }).catch(fail(batchBox));
  }

  var pages = { samples: samplesPage, sample: samplePage, streams: streamsPage, files: filesPage, 'connected-apps': connectedPage,
    usage: usagePage, 'admin-audit': auditPage, 'admin-apps': appsPage,
    'admin-users': usersPage, 'admin-samples': bindingPage, 'admin-imports': importsPage, 'admin-tasks': tasksPage, 'admin-datasets': datasetsPage };
  var init = pages[document.body.dataset.page];
  if (init) init();
})();
