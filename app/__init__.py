"""certverify: verify ISO management-system certificates across the whole accreditation chain."""

__version__ = "0.1.0"
