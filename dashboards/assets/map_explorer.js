/* Clientside callbacks of the map and indicator explorer pages (dashboards/pages/map.py,
   explorer.py): opening a clicked unit, mirroring the indicator into the URL, and drawing
   the map's side table (one element rather than hundreds of Dash components). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    ioc_map: {
        open_unit: function (click, indicator, state) {
            const none = window.dash_clientside.no_update;
            if (!click || !click.points || !click.points.length || !state) { return none; }
            const point = click.points[0];
            const code = point.customdata !== undefined ? point.customdata : point.location;
            if (!code || !/^[0-9]{2,5}$/.test(String(code))) { return none; }
            const query = new URLSearchParams({
                unit: String(code), scheme: state.scheme, period: state.period,
                indicator: indicator
            });
            return "/unit?" + query.toString();
        },
        sync_url: function (indicator) {
            if (!indicator) { return window.dash_clientside.no_update; }
            const url = new URL(window.location.href);
            if (url.searchParams.get("indicator") === indicator) {
                return window.dash_clientside.no_update;
            }
            url.searchParams.set("indicator", indicator);
            window.history.replaceState(window.history.state, "", url.pathname + url.search);
            return indicator;
        },
        draw_table: function (data, id) {
            const box = document.getElementById(id);
            if (!box || !data) { return window.dash_clientside.no_update; }
            const codes = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"};
            const esc = (s) => String(s === null || s === undefined ? "" : s)
                .replace(/[&<>"']/g, (c) => codes[c]);
            const numeric = data.numeric || [];
            const head = data.head.map((h, i) =>
                `<th class="${numeric.includes(i) ? "num" : ""}">${esc(h)}</th>`).join("");
            const body = data.rows.map((r) =>
                `<tr data-code="${esc(r.code)}" data-band="${esc(r.band)}"` +
                ` data-value="${r.value === null || r.value === undefined ? "" : esc(r.value)}">` +
                `<td><a href="${esc(r.href)}">${esc(r.name)}</a></td>` +
                `<td class="num">${esc(r.text)}</td>` +
                `<td><span class="pill pill-band-${esc(r.band)}">${esc(r.band_label)}</span></td>` +
                `<td class="num">${esc(r.coverage)}</td></tr>`
            ).join("");
            box.innerHTML = `<table class="map-table"><thead><tr>${head}</tr></thead>` +
                `<tbody>${body}</tbody></table>`;
            return data.rows.length;
        }
    }
});
