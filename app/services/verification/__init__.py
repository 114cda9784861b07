"""The answer to "can I rely on this certificate?": `answer` runs the pure engine
(app/domain/verification.py) over facts read by `facts` through the per-process `cache`, signs a
receipt (`receipts`), and serves single, batch (`batch`) and search (`search`) requests;
`links` builds the page's deep links."""
