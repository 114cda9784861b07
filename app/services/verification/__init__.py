"""The answer to "can I rely on this certificate?": `answer` runs the pure engine
(app/domain/verification.py) over verification facts that `fact_mapping` builds from repository
rows, through the per-process fact `cache`; it signs a receipt (`receipts`) and serves single,
batch (`batch`) and search (`search`) requests; `links` builds the page's deep links."""
