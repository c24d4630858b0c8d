'use strict';
// plotly.js core (scatter included) and the trace types the dashboard draws.
// tests/unit/test_plotly_bundle.py checks every `go.<Trace>` under dashboards/ is listed here.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/box'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/scattergeo'),
]);

module.exports = Plotly;
