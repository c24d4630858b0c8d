// Numbers in grid cells in the page's language (dashboards/components/datagrid.py): a
// dash-ag-grid "function" sees only the functions registered here, not the browser's globals.
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

// 51,6 and 1.268 in Vietnamese ("vi-VN"), 51.6 and 1,268 in English ("en-US"), up to two
// decimals, or exactly `digits` of them when given (a column of means: 6,00 beside 4,79); a
// value that is not a number (a code, a comparison, a word) as it is
dagfuncs.localNumber = function (value, locale, digits) {
    if (value === null || value === undefined) {
        return "";
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
        return String(value);
    }
    if (digits === undefined) {
        return value.toLocaleString(locale, { maximumFractionDigits: 2 });
    }
    return value.toLocaleString(locale, {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
    });
};
