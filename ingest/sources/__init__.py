"""Where returns come from: files (``files``), and pulled sources (``kinds``): a vendor's
JSON API (``http_json``), a return file at a URL (``http_file``), another IOC-EDU instance
(``ioc_edu``), over one HTTP client (``http``, ``auth``)."""
