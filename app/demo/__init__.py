"""The synthetic demo registry (`certverify demo`): the showcase certificates, one per verdict,
and a builder that fills a registry of any size on top of the reference data."""
