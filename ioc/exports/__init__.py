"""CSV and XLSX files: the one writer (:mod:`ioc.exports.writer`) of every list and report,
the cells it writes (:mod:`ioc.exports.cells`), the rows it reads (:mod:`ioc.exports.rows`),
rows spliced in as XML (:mod:`ioc.exports.sheet_xml`), and the list columns
(:mod:`ioc.exports.lists`)."""
