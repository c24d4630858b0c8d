// Writes plotly-ioc.min.js: esbuild with the options of plotly.js's own esbuild-config.js.
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');

esbuild
    .build({
        entryPoints: ['entry.js'],
        outfile: 'plotly-ioc.min.js',
        format: 'iife',
        globalName: 'Plotly',
        bundle: true,
        minify: true,
        sourcemap: false,
        legalComments: 'inline',
        banner: {
            js:
                '/** plotly.js v4.1.1 (partial bundle for IOC-EDU: bar, box, choropleth, scatter, ' +
                'scattergeo). Copyright 2012-2025, Plotly, Inc. Licensed under the MIT license. */',
        },
        plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
        alias: { stream: 'stream-browserify' },
        define: { global: 'window', 'define.amd': 'false' },
        target: 'es2016',
        logLevel: 'info',
    })
    .catch(() => process.exit(1));
